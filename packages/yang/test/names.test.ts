// The house style asks for whole words in the names of types, fields and
// parameters (docs/decisions/yang-007-names.md). This test reads the package's
// source with the TypeScript parser and lists every name that falls short:
// a type of one or two letters or of one letter before a word (`RNode`), a
// field or parameter of one letter, a variable of one letter other than the
// index `i`/`j` of a `for` loop. The XPath syntax tree's one-letter fields are
// the compiled schema's stored format and stay (xpath/ast.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const source = join(import.meta.dirname, '..', 'src');
const STORED_FORMAT = 'xpath/ast.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** `file:line kind name` for every declaration whose name is not whole words. */
function shortNames(root: string): string[] {
  const found: string[] = [];
  for (const path of sourceFiles(root)) {
    const file = relative(root, path);
    const tree = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const report = (kind: string, name: ts.Node): void => {
      const line = tree.getLineAndCharacterOfPosition(name.getStart(tree)).line + 1;
      found.push(`${file}:${line} ${kind} ${name.getText(tree)}`);
    };
    const visit = (node: ts.Node): void => {
      if (
        (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isClassDeclaration(node)) &&
        node.name !== undefined
      ) {
        const name = node.name.text;
        if (name.length <= 2 || (/^[A-Z][A-Z][a-z]/.test(name) && !name.startsWith('XPath'))) report('type', node.name);
      }
      if (
        (ts.isPropertySignature(node) || ts.isPropertyDeclaration(node)) &&
        ts.isIdentifier(node.name) &&
        node.name.text.length === 1 &&
        file !== STORED_FORMAT
      )
        report('field', node.name);
      if (ts.isParameter(node) && ts.isIdentifier(node.name) && isShort(node.name.text, false)) {
        if (!isComparator(node)) report('parameter', node.name);
      }
      if ((ts.isVariableDeclaration(node) || ts.isBindingElement(node)) && ts.isIdentifier(node.name)) {
        const loopIndex = ts.isVariableDeclarationList(node.parent) && ts.isForStatement(node.parent.parent);
        if (isShort(node.name.text, loopIndex)) report('variable', node.name);
      }
      ts.forEachChild(node, visit);
    };
    visit(tree);
  }
  return found;
}

/** One letter, except an ignored `_` and the index names `i` and `j` where an index is declared. */
function isShort(name: string, index: boolean): boolean {
  if (name.length !== 1 || name === '_') return false;
  return !(index && (name === 'i' || name === 'j'));
}

/** `(a, b)` of a comparator passed to `sort`, and the index of a `(value, i)` callback, as every reader expects them. */
function isComparator(parameter: ts.ParameterDeclaration): boolean {
  const callback = parameter.parent;
  const call = callback.parent;
  const name = parameter.name.getText();
  if (!ts.isArrowFunction(callback) || call === undefined || !ts.isCallExpression(call)) return false;
  const method = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : '';
  if (method === 'sort') return name === 'a' || name === 'b';
  return (name === 'i' || name === 'j') && callback.parameters.indexOf(parameter) === 1;
}

describe('names in @fleetkit/yang', () => {
  it('are whole words for types, fields, parameters and variables', () => {
    expect(shortNames(source)).toEqual([]);
  });

  it('are checked: a short name in a source file is reported', () => {
    const names = shortNames(join(import.meta.dirname, 'fixtures', 'short-names'));
    expect(names).toEqual([
      'short.ts:2 type RNode',
      'short.ts:3 field s',
      'short.ts:6 parameter w',
      'short.ts:7 variable n',
    ]);
  });
});
