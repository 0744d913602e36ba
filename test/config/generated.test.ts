import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { FIELD_BY_PATH, FIELDS, GROUPS, PROFILE_NAMES } from '../../src/config/fields';
import { environmentTable, fieldsTable, hoverDoc, profileJson } from '../support/configDocs';

/**
 * Everything generated from the field table (src/config/fields.ts) matches it: the properties of `TelemetryConfig`
 * and their hover docs, the README's two configuration tables and profiles/*.json. `npm run generate` rewrites them
 * (UPDATE_GENERATED=1); otherwise a difference fails, naming the command.
 */
const ROOT = join(__dirname, '..', '..');
const CONFIG_FILE = join(ROOT, 'src', 'config', 'TelemetryConfig.ts');
const README = join(ROOT, 'README.md');
const update = process.env.UPDATE_GENERATED === '1';
const HOW = 'run `npm run generate` to rewrite it from src/config/fields.ts';

/** A property of `TelemetryConfig` (nested ones by dotted path) and the declaration that documents it. */
interface DeclaredField {
  path: string;
  declaration: ts.PropertySignature;
}

/** The leaf properties of `TelemetryConfig`, walking into the groups of the field table. */
function declaredFields(): { fields: DeclaredField[]; program: ts.Program } {
  const program = ts.createProgram([CONFIG_FILE], { strict: true, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(CONFIG_FILE) as ts.SourceFile;
  const root = source.statements.find((node): node is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(node) && node.name.text === 'TelemetryConfig');
  if (root === undefined) throw new Error('TelemetryConfig is not declared in src/config/TelemetryConfig.ts');
  const fields: DeclaredField[] = [];
  const walk = (type: ts.Type, prefix: string): void => {
    for (const property of checker.getPropertiesOfType(type)) {
      const path = prefix === '' ? property.name : `${prefix}.${property.name}`;
      const declaration = property.declarations?.find(ts.isPropertySignature);
      if (declaration === undefined) throw new Error(`${path} has no property declaration`);
      if (GROUPS.has(path)) {
        walk(checker.getNonNullableType(checker.getTypeOfSymbol(property)), path);
      } else {
        fields.push({ path, declaration });
      }
    }
  };
  walk(checker.getTypeAtLocation(root), '');
  return { fields, program };
}

/** A JSDoc block for `lines`, indented like the property it documents. */
function jsDoc(lines: string[], indent: string): string {
  if (lines.length === 1) return `/** ${lines[0]} */`;
  return ['/**', ...lines.map((line) => `${indent} * ${line}`), `${indent} */`].join('\n');
}

/** The replacement of `[start, end)` in the README between the markers `name`, or a failure message. */
function section(text: string, name: string, content: string): { text: string; stale: boolean } {
  const begin = `<!-- generated:${name} (npm run generate) -->`;
  const end = `<!-- /generated:${name} -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${begin} ... ${end}`);
  const current = text.slice(from + begin.length, to);
  const wanted = `\n${content}\n`;
  return { text: text.slice(0, from + begin.length) + wanted + text.slice(to), stale: current !== wanted };
}

describe('what the field table generates', () => {
  const { fields } = declaredFields();

  it('TelemetryConfig declares exactly the fields of the table', () => {
    const declared = fields.map((field) => field.path).sort();
    const table = FIELDS.map((field) => field.path).sort();
    expect(declared.filter((path) => !FIELD_BY_PATH.has(path))).toEqual([]);
    expect(table.filter((path) => !declared.includes(path))).toEqual([]);
    expect(declared).toEqual(table);
  });

  it('each field\'s hover doc gives what it does, what it accepts, its default per profile and its variables', () => {
    // One declaration can serve several paths (the per-signal sections share SignalTransportConfig, the breakers
    // share CircuitBreakerConfig): the shallowest path documents it, for both signals where it has a pair.
    const byDeclaration = new Map<ts.PropertySignature, string[]>();
    for (const field of fields) byDeclaration.set(field.declaration, [...(byDeclaration.get(field.declaration) ?? []), field.path]);
    const edits: { start: number; end: number; text: string }[] = [];
    const stale: string[] = [];
    const text = readFileSync(CONFIG_FILE, 'utf8');
    for (const [declaration, paths] of byDeclaration) {
      const canonical = [...paths].sort((a, b) => a.split('.').length - b.split('.').length || a.localeCompare(b))[0];
      const bothSignals = paths.some((path) => path.startsWith('metrics.')) && paths.some((path) => path.startsWith('traces.'));
      const source = declaration.getSourceFile();
      const start = declaration.getStart(source);
      const indent = text.slice(text.lastIndexOf('\n', start) + 1, start);
      const wanted = jsDoc(hoverDoc(FIELD_BY_PATH.get(canonical)!, bothSignals && canonical.split('.').length === 2), indent);
      const docs = ts.getJSDocCommentsAndTags(declaration);
      const doc = docs.length === 0 ? undefined : docs[docs.length - 1];
      const current = doc === undefined ? '' : text.slice(doc.getStart(source), doc.end);
      if (current === wanted) continue;
      stale.push(canonical);
      edits.push(doc === undefined
        ? { start, end: start, text: `${wanted}\n${indent}` }
        : { start: doc.getStart(source), end: doc.end, text: wanted });
    }
    if (update && edits.length > 0) {
      let next = text;
      for (const edit of edits.sort((a, b) => b.start - a.start)) next = next.slice(0, edit.start) + edit.text + next.slice(edit.end);
      writeFileSync(CONFIG_FILE, next);
      return;
    }
    if (stale.length > 0) throw new Error(`the hover docs of ${stale.join(', ')} in src/config/TelemetryConfig.ts differ from the field table; ${HOW}`);
  });

  it('README\'s configuration and environment tables are the table\'s', () => {
    let text = readFileSync(README, 'utf8');
    const stale: string[] = [];
    for (const [name, content] of [['fields', fieldsTable()], ['environment', environmentTable()]] as const) {
      const result = section(text, name, content);
      text = result.text;
      if (result.stale) stale.push(name);
    }
    if (update) writeFileSync(README, text);
    else if (stale.length > 0) throw new Error(`README.md's ${stale.join(' and ')} table differs from the field table; ${HOW}`);
  });

  it.each(PROFILE_NAMES.map((name) => [name]))('profiles/%s.json holds that profile\'s defaults', (name) => {
    const file = join(ROOT, 'profiles', `${name}.json`);
    const wanted = profileJson(name);
    if (update) writeFileSync(file, wanted);
    else if (readFileSync(file, 'utf8') !== wanted) throw new Error(`profiles/${name}.json differs from the field table; ${HOW}`);
  });
});
