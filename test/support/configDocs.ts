import { FIELDS, PROFILE_NAMES, describeKind, type FieldSpec, type ProfileName } from '../../src/config/fields';
import { IGNORED_VARIABLES, SPECIAL_VARIABLES } from '../../src/config/environment';
import { loadProfile } from '../../src/config/profiles';

/**
 * What the field table generates: the hover docs of `TelemetryConfig`, the README's configuration and environment
 * tables, and `profiles/*.json`. `test/config/generated.test.ts` checks each against the table, and rewrites them with
 * `npm run generate`.
 */

/** A default value, as the docs show it. */
export function shownValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : value.map((item) => String(item)).join(', ');
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : entries.map(([key, item]) => `${key}: ${String(item)}`).join(', ');
  }
  return String(value);
}

/** A field's defaults in words: one value, or one per profile. */
export function defaultsText(field: FieldSpec): string {
  if (field.defaults === undefined) return field.inherits === undefined ? 'unset' : `the shared \`${field.inherits}\``;
  const defaults = field.defaults;
  const values = PROFILE_NAMES.map((name) => shownValue(defaults[name]));
  if (values.every((value) => value === values[0])) return `\`${values[0]}\``;
  return PROFILE_NAMES.map((name, i) => `\`${values[i]}\` (${name})`).join(', ');
}

/** The variables of a field, with the per-signal pair written once when `bothSignals`. */
function variablesOf(field: FieldSpec, bothSignals: boolean): string[] {
  return (field.env ?? []).map((variable) => (bothSignals ? variable.replace(/_(METRICS|TRACES)_/, '_{METRICS,TRACES}_') : variable));
}

/**
 * The hover doc of a field: what it does, what it accepts, its default per profile, its variables. A declaration
 * shared by the metrics and traces sections (`SignalTransportConfig`) is documented for both (`bothSignals`).
 */
export function hoverDoc(field: FieldSpec, bothSignals = false): string[] {
  const variables = variablesOf(field, bothSignals);
  return [
    field.doc,
    `Accepts ${describeKind(field.kind)}. Default: ${defaultsText(field)}.`,
    ...(variables.length === 0 ? [] : [`Environment: ${variables.join(', then ')} (${field.envRule ?? (field.inherits === undefined ? 'the config wins' : 'the most specific setting wins')}).`]),
  ];
}

/** The README's table of fields. */
export function fieldsTable(): string {
  const rows = FIELDS.map((field) => {
    const variables = (field.env ?? []).map((variable) => `\`${variable}\``).join(', ');
    return `| \`${field.path}\` | ${escape(describeKind(field.kind))} | ${escape(defaultsText(field))} | ${variables || '—'} | ${escape(field.doc)} |`;
  });
  return ['| field | accepts | default | variables | what it does |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The README's table of environment variables: every one read, then the ones deliberately not read. */
export function environmentTable(): string {
  const rows: string[] = [];
  for (const field of FIELDS) {
    for (const variable of field.env ?? []) {
      if (variable === 'OTEL_SDK_DISABLED') continue;
      rows.push(`| \`${variable}\` | \`${field.path}\`: ${escape(field.doc)} | ${escape(defaultsText(field))} |`);
    }
  }
  for (const special of SPECIAL_VARIABLES) rows.push(`| \`${special.variable}\` | ${escape(special.effect)} | ${escape(special.default)} |`);
  const ignored = IGNORED_VARIABLES.map((entry) =>
    `| \`${entry.variable}\` | not read: ${escape(entry.why)}${entry.warn ? ' Warned about when set.' : ''} | — |`);
  return ['| variable | what it does here | default |', '|---|---|---|', ...rows, ...ignored].join('\n');
}

/** `profiles/<name>.json`: the profile's values, as a configuration object. */
export function profileJson(name: ProfileName): string {
  return `${JSON.stringify(loadProfile(name), null, 2)}\n`;
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|');
}
