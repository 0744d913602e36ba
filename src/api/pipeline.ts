import type { Span } from '../tracing/Span';
import { tracer as facadeTracer, type Tracer } from './tracing';

/** One step of a pipeline: takes the previous step's output, may be async. */
export type PipelineStep<I, O> = (input: I, span: Span) => O | Promise<O>;

/** Options of `pipeline()`. */
export interface PipelineOptions {
  /** The tracer to use; the library's own by default, `noopTracer` to trace nothing. */
  tracer?: Tracer;
}

declare const fromFirstStep: unique symbol;
/**
 * The input type of a pipeline created without one (`pipeline('name')`): its first step's parameter type becomes
 * the input type, so `pipeline('x').step('parse', (raw: string) => ...)` needs no `<string>`.
 */
export type FromFirstStep = typeof fromFirstStep;

/** A sequence of named steps run in order, traced as one span with one child span per step. */
export class Pipeline<I, O> {
  private constructor(
    private readonly name: string,
    private readonly steps: readonly { name: string; fn: PipelineStep<unknown, unknown> }[],
    private readonly tracer: Tracer,
  ) {}

  /** Starts an empty pipeline. */
  static create<T>(name: string, options?: PipelineOptions | null): Pipeline<T, T> {
    const given = options?.tracer;
    const usable = typeof given?.withSpan === 'function' && typeof given.startSpan === 'function';
    return new Pipeline<T, T>(name, [], usable ? (given as Tracer) : facadeTracer);
  }

  /** Adds the first step of a pipeline created without an input type: its parameter type becomes the input type. */
  step<A, N>(this: Pipeline<FromFirstStep, FromFirstStep>, stepName: string, fn: PipelineStep<A, N>): Pipeline<A, N>;
  /** Adds a step; returns a new pipeline whose output is the step's. */
  step<N>(stepName: string, fn: PipelineStep<O, N>): Pipeline<I, N>;
  step<N>(stepName: string, fn: PipelineStep<O, N>): Pipeline<I, N> {
    return new Pipeline<I, N>(this.name, [...this.steps, { name: stepName, fn: fn as PipelineStep<unknown, unknown> }], this.tracer);
  }

  /** Runs the steps in order on `input`; a failing step fails the run, with the error recorded on its span. */
  run(input: I): Promise<O> {
    return this.tracer.withSpan(this.name, async (root) => {
      root.setAttribute('pipeline.name', this.name);
      root.setAttribute('pipeline.steps', this.steps.length);
      let value: unknown = input;
      for (let i = 0; i < this.steps.length; i++) {
        const step = this.steps[i];
        value = await this.tracer.withSpan(`${this.name}.${step.name}`, async (span) => {
          span.setAttribute('pipeline.name', this.name);
          span.setAttribute('pipeline.step', step.name);
          span.setAttribute('pipeline.step.index', i);
          return step.fn(value, span);
        });
      }
      return value as O;
    });
  }
}

/**
 * Builds a traced pipeline: `pipeline('agent-create').step('validate', v).step('persist', p).run(input)`.
 * Each step gets its own child span of the pipeline's span. The input type is the first step's parameter type, or
 * `T` when given: `pipeline<Order>('checkout')`.
 */
export function pipeline<T = FromFirstStep>(name: string, options?: PipelineOptions | null): Pipeline<T, T> {
  return Pipeline.create<T>(name, options);
}
