/**
 * The import rules of docs/architecture.md, read from the sources with the TypeScript compiler's parser:
 * no value import cycle anywhere; lambdas/core imports no other layer; adapters import no runtime, use case or
 * entry; no entry imports another; CDK code imports no step code but lambdas/contracts.ts and core; the
 * execution state's aggregate type is imported back by none of its parts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCE_DIRS = [
  'lambdas',
  'cdk',
  'cli',
  'local',
  'bench',
  'scripts',
  'statemachine',
  'demo-shop',
  'mocks',
];

interface Edge {
  readonly to: string;
  /** Only types: erased when compiled, so no cycle at run time and nothing bundled. */
  readonly typeOnly: boolean;
}

/** The relative imports of one file (static, re-exports and `import()`), resolved against `exists`. */
function importsOf(file: string, source: string, exists: (path: string) => boolean): Edge[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edges: Edge[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    const base = join(dirname(file), specifier);
    const to = [`${base}.ts`, join(base, 'index.ts'), base].find(exists);
    if (to) edges.push({ to, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allNamedTypes =
        !!named &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier.text, !!clause && (clause.isTypeOnly || (!clause.name && allNamedTypes)));
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

/** The value import cycles of a graph (strongly connected components of more than one file, or a self-import). */
function valueCycles(graph: ReadonlyMap<string, readonly Edge[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const connect = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const { to, typeOnly } of graph.get(v) ?? []) {
      if (typeOnly) continue;
      if (!index.has(to)) {
        connect(to);
        low.set(v, Math.min(low.get(v) as number, low.get(to) as number));
      } else if (onStack.has(to)) low.set(v, Math.min(low.get(v) as number, index.get(to) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfImport = (graph.get(v) ?? []).some((e) => !e.typeOnly && e.to === v);
      if (component.length > 1 || selfImport) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return cycles;
}

/** Where a file sits: `core`, `adapters`, `runtime`, `use-cases`, `handlers`, `contracts`, `cdk`, or another folder. */
function layerOf(path: string): string {
  const [top, second] = path.split('/');
  if (top === 'lambdas') return second === 'contracts.ts' ? 'contracts' : (second ?? top);
  return top ?? path;
}

/** Which layers a layer may import (any import, types included); layers not named here may import anything. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  contracts: [],
  core: ['core', 'schema'],
  adapters: ['adapters', 'core', 'contracts'],
  'use-cases': ['use-cases', 'adapters', 'core', 'contracts', 'runtime'],
  runtime: ['runtime', 'use-cases', 'adapters', 'core', 'contracts'],
  handlers: ['handlers', 'runtime', 'use-cases', 'adapters', 'core', 'contracts', 'statemachine'],
  cdk: ['cdk', 'core', 'contracts', 'statemachine'],
};

/** Imports that break a layer rule, as `from -> to`; and entries that import another entry. */
function layerViolations(graph: ReadonlyMap<string, readonly Edge[]>): string[] {
  const out: string[] = [];
  for (const [from, edges] of graph) {
    const allowed = ALLOWED[layerOf(from)];
    for (const { to } of edges) {
      const entryToEntry =
        layerOf(from) === 'handlers' && layerOf(to) === 'handlers' && !from.endsWith('/index.ts');
      if (entryToEntry || (allowed && !allowed.includes(layerOf(to)))) out.push(`${from} -> ${to}`);
    }
  }
  return out;
}

/** The execution state's aggregate (`RunState`): it imports each domain's part of the state. */
const AGGREGATE = 'lambdas/core/run-state.ts';

/** The core modules that read the execution state whole, each with why; others import the parts they read. */
const WHOLE_STATE_READERS: Readonly<Record<string, string>> = {
  'lambdas/core/continuation.ts': 'a continuation hands the whole state on to the next execution',
  'lambdas/core/notification.ts': 'the run-ended notification tells how the whole run ended',
  'lambdas/core/report/summary.ts': "summary.json is the whole run's account",
};

/** The core modules, other than `target` itself, that import `target`. */
function coreImportersOf(graph: ReadonlyMap<string, readonly Edge[]>, target: string): string[] {
  return [...graph]
    .filter(
      ([from, edges]) => from !== target && layerOf(from) === 'core' && edges.some((e) => e.to === target),
    )
    .map(([from]) => from)
    .sort();
}

/**
 * The files `root` imports, directly or not (types included), that import `root` back: each closes a cycle
 * through it, the shape of a hub that everything imports and that imports everything.
 */
function importedBackBy(graph: ReadonlyMap<string, readonly Edge[]>, root: string): string[] {
  const seen = new Set<string>();
  const queue = [root];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    for (const { to } of graph.get(file) ?? []) {
      if (seen.has(to)) continue;
      seen.add(to);
      queue.push(to);
    }
  }
  return [...seen].filter((f) => (graph.get(f) ?? []).some((e) => e.to === root)).sort();
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function repositoryGraph(): Map<string, Edge[]> {
  const files = SOURCE_DIRS.flatMap(sourceFiles);
  const known = new Set(files);
  const exists = (p: string) =>
    known.has(p) || (existsSync(join(ROOT, p)) && statSync(join(ROOT, p)).isFile());
  return new Map(
    files.map((f) => [
      f,
      importsOf(f, readFileSync(join(ROOT, f), 'utf8'), exists).map((e) => ({
        ...e,
        to: relative(ROOT, join(ROOT, e.to)),
      })),
    ]),
  );
}

/** A graph from in-memory files, to show the checks find what they are for. */
function graphOf(files: Record<string, string>): Map<string, Edge[]> {
  const exists = (p: string) => p in files;
  return new Map(Object.entries(files).map(([f, src]) => [f, importsOf(f, src, exists)]));
}

describe('the import graph of the repository', () => {
  const graph = repositoryGraph();

  it('reads the sources (the step entries and the layers are where the rules expect them)', () => {
    const layers = new Set([...graph.keys()].map(layerOf));
    for (const layer of ['core', 'adapters', 'runtime', 'use-cases', 'handlers', 'contracts', 'cdk'])
      expect(layers).toContain(layer);
    expect(graph.get('lambdas/handlers/acquire-lock.ts')?.length).toBeGreaterThan(0);
  });

  it('has no value import cycle', () => {
    expect(valueCycles(graph)).toEqual([]);
  });

  it('keeps every layer to what it may import', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('has the aggregate state import its parts, none of which imports it back', () => {
    expect(graph.get(AGGREGATE)?.length).toBeGreaterThan(0);
    expect(importedBackBy(graph, AGGREGATE)).toEqual([]);
  });

  it('has no core module import the aggregate state but those that read it whole', () => {
    expect(coreImportersOf(graph, AGGREGATE)).toEqual(Object.keys(WHOLE_STATE_READERS).sort());
  });
});

describe('the checks', () => {
  it('find a value cycle, through a dynamic import too, and ignore one of types only', () => {
    expect(
      valueCycles(
        graphOf({
          'a.ts': "import { b } from './b';",
          'b.ts': "export const b = () => import('./a');",
          'c.ts': "import type { D } from './d';",
          'd.ts': "import { type C } from './c'; export type D = 1;",
        }),
      ),
    ).toEqual([['a.ts', 'b.ts']]);
  });

  it('find core importing an adapter (even a type), an entry importing another, and CDK importing a handler', () => {
    expect(
      layerViolations(
        graphOf({
          'lambdas/core/x.ts': "import type { R } from '../adapters/aws/run-store';",
          'lambdas/adapters/aws/run-store.ts': "import { t } from '../../core/x';",
          'lambdas/handlers/a.ts': "import { h } from './b';",
          'lambdas/handlers/b.ts': "import { c } from '../contracts';",
          'lambdas/contracts.ts': '',
          'cdk/lib/j.ts':
            "import { c } from '../../lambdas/contracts'; import { h } from '../../lambdas/handlers/b';",
        }),
      ),
    ).toEqual([
      'lambdas/core/x.ts -> lambdas/adapters/aws/run-store.ts',
      'lambdas/handlers/a.ts -> lambdas/handlers/b.ts',
      'cdk/lib/j.ts -> lambdas/handlers/b.ts',
    ]);
  });

  it('find a part that imports the aggregate back, through a type and another module too', () => {
    expect(
      importedBackBy(
        graphOf({
          'state.ts': "import type { A } from './a'; import type { B } from './b';",
          'a.ts': "import type { C } from './c';",
          'b.ts': '',
          'c.ts': "import type { State } from './state';",
          'user.ts': "import type { State } from './state';",
        }),
        'state.ts',
      ),
    ).toEqual(['c.ts']);
  });

  it('find the core modules that import a module, and none outside core', () => {
    expect(
      coreImportersOf(
        graphOf({
          'lambdas/core/run-state.ts': "import type { A } from './a';",
          'lambdas/core/a.ts': '',
          'lambdas/core/b.ts': "import type { RunState } from './run-state';",
          'lambdas/handlers/h.ts': "import type { RunState } from '../core/run-state';",
        }),
        'lambdas/core/run-state.ts',
      ),
    ).toEqual(['lambdas/core/b.ts']);
  });
});
