// Turns one cell's TypeScript into a script that runs in the page's shared scope, as Jupyter
// cells do: sucrase strips the types (keeping every line where it was), acorn finds the top-level
// declarations and the last expression. Runs inside the cell worker only (sucrase and acorn are
// loaded with it, never with the page).
//
// The scope design, in short:
// - Every name a cell declares at the top level (const, let, var, function, class, import) is an
//   own property of the worker's global object, created before the cell runs; later cells read
//   and write it as an ordinary global, so they see it, and running a cell again just reassigns.
// - `const a = 1, {b} = o;` becomes `;(a = 1, {b} = o);` and `class C {}` becomes
//   `;C = class C {};` (same line, same columns after the keyword). A function declaration stays
//   a declaration (hoisting keeps working) and is copied to the global at the top of the cell.
// - Imports of the library become assignments from the bundled library; any other import is an
//   error naming the specifier.
// - The cell is wrapped in `(async function (...) {"use strict"; ...})` on the cell's first line,
//   so line N of the script is line N of the cell, and top-level await works. The last expression
//   statement becomes `return (...)`; the worker prints its value as tslab does.

import { parse, type Node } from "acorn";
import { transform as sucraseTransform } from "sucrase";

/** Import specifiers that mean "the library", as the notebooks write it. */
export const LIBRARY_SPECIFIERS: readonly string[] = [
  "../dist/index.js",
  "../dist/index",
  "../dist",
  "distsys",
];

/** Name of the function parameters the wrapper gives the cell (kept unlikely to clash). */
const SCOPE_PARAM = "__distsysScope";
const LIBRARY_PARAM = "__distsysLibrary";

/** A cell that cannot run: a syntax error or an unsupported construct, with its line in the cell. */
export class CellCompileError extends Error {
  constructor(
    readonly ename: string,
    message: string,
    /** 1-based line in the cell's own code. */
    readonly line: number | undefined,
  ) {
    super(message);
    this.name = ename;
  }
}

/** The result of {@link prepareCell}. */
export interface PreparedCell {
  /**
   * A script for indirect eval in the worker's global scope. It evaluates to an async function
   * `(scope, library, require) => Promise<last expression value or undefined>`.
   */
  readonly script: string;
  /** Top-level names the cell declares; each must be a property of the global before running. */
  readonly names: readonly string[];
  /** The cell's source URL in stack traces (`distsys-cell-N.ts`), to find its line numbers. */
  readonly sourceUrl: string;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

// acorn's ESTree nodes, typed loosely: only the fields read here.
interface AnyNode extends Node {
  [key: string]: unknown;
}

function child(node: AnyNode, key: string): AnyNode {
  return node[key] as AnyNode;
}

function children(node: AnyNode, key: string): AnyNode[] {
  return node[key] as AnyNode[];
}

/** The 1-based line of a character offset. */
function lineOf(code: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < code.length; i++) if (code.charCodeAt(i) === 10) line++;
  return line;
}

function newlinesIn(text: string): string {
  return "\n".repeat((text.match(/\n/g) ?? []).length);
}

/** Names bound by a binding pattern (`a`, `{ a, b: [c] }`, `...rest`). */
function patternNames(pattern: AnyNode | null, into: string[]): void {
  if (pattern === null) return;
  switch (pattern.type) {
    case "Identifier":
      into.push(pattern.name as string);
      break;
    case "ObjectPattern":
      for (const property of children(pattern, "properties")) {
        patternNames(property.type === "RestElement" ? property : child(property, "value"), into);
      }
      break;
    case "ArrayPattern":
      for (const element of children(pattern, "elements")) patternNames(element, into);
      break;
    case "AssignmentPattern":
      patternNames(child(pattern, "left"), into);
      break;
    case "RestElement":
      patternNames(child(pattern, "argument"), into);
      break;
    default:
      break;
  }
}

/** TypeScript namespaces: sucrase drops them silently, so refuse them with a clear message. */
function refuseNamespaces(code: string): void {
  const match = /^[ \t]*(?:export[ \t]+)?(namespace|module)[ \t]+[A-Za-z_$][\w$.]*[ \t]*\{/m.exec(
    code,
  );
  if (match !== null) {
    throw new CellCompileError(
      "SyntaxError",
      `TypeScript ${match[1]} blocks are not supported in site cells; use an object or a module-level function instead`,
      lineOf(code, match.index + (match[0].length - match[0].trimStart().length)),
    );
  }
}

function stripTypes(code: string): string {
  try {
    return sucraseTransform(code, {
      transforms: ["typescript"],
      // Keep modern syntax as it is: the worker runs in a modern browser, and every transform
      // skipped is one less way to move a line.
      disableESTransforms: true,
      // A cell may import a name only later cells use, as in Jupyter.
      keepUnusedImports: true,
    }).code;
  } catch (error) {
    const loc = (error as { loc?: { line: number } }).loc;
    const message = (error as Error).message.replace(/\s*\(\d+:\d+\)$/, "");
    throw new CellCompileError("SyntaxError", message, loc?.line);
  }
}

function parseProgram(js: string): AnyNode {
  try {
    return parse(js, {
      ecmaVersion: "latest",
      sourceType: "module",
      allowAwaitOutsideFunction: true,
    }) as unknown as AnyNode;
  } catch (error) {
    const loc = (error as { loc?: { line: number } }).loc;
    const message = (error as Error).message.replace(/\s*\(\d+:\d+\)$/, "");
    throw new CellCompileError("SyntaxError", message, loc?.line);
  }
}

/**
 * Prepares a cell to run in the page's shared scope. `cellNumber` names the cell in stack traces.
 * Throws {@link CellCompileError} for a syntax error or an unsupported construct.
 */
export function prepareCell(code: string, cellNumber: number): PreparedCell {
  refuseNamespaces(code);
  const js = stripTypes(code);
  const program = parseProgram(js);
  const edits: Edit[] = [];
  const names: string[] = [];
  const functionNames: string[] = [];
  const body = children(program, "body");

  const declaration = (node: AnyNode): void => {
    switch (node.type) {
      case "VariableDeclaration": {
        const declarators = children(node, "declarations");
        const first = declarators[0] as AnyNode;
        const last = declarators[declarators.length - 1] as AnyNode;
        edits.push({ start: node.start, end: first.start, text: ";(" });
        for (const declarator of declarators) {
          const id = child(declarator, "id");
          patternNames(id, names);
          if (declarator.init === null) {
            // `let x;` run again resets x, as a fresh declaration would; `var x;` keeps it.
            edits.push({
              start: declarator.start,
              end: declarator.end,
              text: node.kind === "var" ? "void 0" : `${js.slice(id.start, id.end)} = undefined`,
            });
          }
        }
        // The range may hold comments and line breaks before the `;`: keep the line breaks.
        const tail = js.slice(last.end, node.end);
        edits.push({ start: last.end, end: node.end, text: `)${newlinesIn(tail)};` });
        return;
      }
      case "FunctionDeclaration": {
        const name = child(node, "id").name as string;
        names.push(name);
        functionNames.push(name);
        return;
      }
      case "ClassDeclaration": {
        const name = child(node, "id").name as string;
        names.push(name);
        edits.push({ start: node.start, end: node.start, text: `;${name} = ` });
        edits.push({ start: node.end, end: node.end, text: ";" });
        return;
      }
      default:
        return;
    }
  };

  for (const node of body) {
    switch (node.type) {
      case "ImportDeclaration": {
        const specifier = child(node, "source").value as string;
        if (!LIBRARY_SPECIFIERS.includes(specifier)) {
          throw new CellCompileError(
            "ImportError",
            `cells on this site can import only the distsys library ("../dist/index.js" or "distsys"), got "${specifier}"`,
            lineOf(js, node.start),
          );
        }
        const assignments = children(node, "specifiers").map((spec) => {
          const local = child(spec, "local").name as string;
          names.push(local);
          if (spec.type !== "ImportSpecifier") return `${local} = ${LIBRARY_PARAM}`;
          const imported = child(spec, "imported");
          const key = imported.type === "Identifier" ? imported.name : imported.value;
          return `${local} = ${LIBRARY_PARAM}[${JSON.stringify(key)}]`;
        });
        const original = js.slice(node.start, node.end);
        edits.push({
          start: node.start,
          end: node.end,
          text: `;${assignments.join(", ")};${newlinesIn(original)}`,
        });
        break;
      }
      case "ExportNamedDeclaration": {
        const inner = node.declaration as AnyNode | null;
        if (inner === null) {
          // `export { a }` exports nothing anywhere here: every top-level name is shared anyway.
          const original = js.slice(node.start, node.end);
          edits.push({ start: node.start, end: node.end, text: newlinesIn(original) });
        } else {
          edits.push({ start: node.start, end: inner.start, text: "" });
          declaration(inner);
        }
        break;
      }
      case "ExportDefaultDeclaration":
      case "ExportAllDeclaration":
        throw new CellCompileError(
          "SyntaxError",
          "cells cannot export (every top-level name is already shared with the next cells)",
          lineOf(js, node.start),
        );
      default:
        declaration(node);
        break;
    }
  }

  const lastStatement = body[body.length - 1];
  if (lastStatement?.type === "ExpressionStatement" && lastStatement.directive === undefined) {
    // The statement may hold parentheses around the expression; keep them, drop the semicolon.
    const text = js.slice(lastStatement.start, lastStatement.end).replace(/;\s*$/, "");
    edits.push({
      start: lastStatement.start,
      end: lastStatement.end,
      text: `return (${text}\n);`,
    });
  }

  let rewritten = js;
  for (const edit of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    rewritten = rewritten.slice(0, edit.start) + edit.text + rewritten.slice(edit.end);
  }

  const sourceUrl = `distsys-cell-${cellNumber}.ts`;
  const prologue =
    `(async function (${SCOPE_PARAM}, ${LIBRARY_PARAM}, require) {"use strict";` +
    functionNames.map((name) => `${SCOPE_PARAM}.${name} = ${name};`).join("");
  const script = `${prologue}${rewritten}\n})\n//# sourceURL=${sourceUrl}`;
  return { script, names: [...new Set(names)], sourceUrl };
}

/**
 * The 1-based line in the cell of the first stack frame that belongs to it, if any. Works with
 * V8's `at ... (distsys-cell-3.ts:5:9)` and Firefox's `@distsys-cell-3.ts:5:9` frames.
 */
export function cellLineFromStack(
  stack: string | undefined,
  sourceUrl: string,
): number | undefined {
  if (stack === undefined) return undefined;
  const escaped = sourceUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
  return match === null ? undefined : Number(match[1]);
}
