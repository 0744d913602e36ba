import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CONFIG = join(ROOT, 'test', 'architecture', 'layers.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LAYERS } = require(CONFIG) as { LAYERS: [string, string][] };

function cruise(cwd: string): { status: number | null; output: string } {
  const run = spawnSync(DEPCRUISE, ['--config', CONFIG, '--output-type', 'err', 'src'], { cwd, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the layers of src/', () => {
  it('hold: every import goes downward, no cycles, no module outside a layer', () => {
    const { status, output } = cruise(ROOT);
    expect(output).toContain('no dependency violations found');
    expect(status).toBe(0);
  });

  it('cover every folder of src/', () => {
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'esm')
      .map((entry) => entry.name)
      .sort();
    expect(folders).toEqual(LAYERS.map(([layer]) => layer).sort());
  });

  it('are drawn in ARCHITECTURE.md in the same order', () => {
    const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
    const section = text.slice(text.indexOf('## The layers'), text.indexOf('\n## ', text.indexOf('## The layers') + 1));
    const drawn = [...section.matchAll(/src\/([a-z]+)\//g)].map((m) => m[1]).filter((layer, i, all) => all.indexOf(layer) === i);
    expect(drawn).toEqual(LAYERS.map(([layer]) => layer));
  });

  it('are enforced: an upward import, a cycle and a module outside every layer each fail the check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otel-facade-layers-'));
    try {
      const write = (path: string, text: string) => {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      };
      write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true } }));
      write('src/api/recording.ts', "export const counter = 1;\n");
      write('src/metrics/store.ts', "import { counter } from '../api/recording';\nexport const store = counter;\n");
      write('src/config/a.ts', "import { b } from './b';\nexport const a = () => b;\n");
      write('src/config/b.ts', "import { a } from './a';\nexport const b = () => a;\n");
      write('src/misc/stray.ts', "import { counter } from '../api/recording';\nexport const stray = counter;\n");
      const { status, output } = cruise(dir);
      expect(status).not.toBe(0);
      expect(output).toContain('metrics-imports-downward-only');
      expect(output).toMatch(/src\/metrics\/store\.ts → src\/api\/recording\.ts/);
      expect(output).toContain('no-circular');
      expect(output).toContain('no-unknown-folder');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
