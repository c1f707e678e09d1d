// Checks of every value a client sends, at the edge, before an operation
// runs: the variables (JSON) and the literal arguments of the document.
// What no field may hold is refused here with BAD_USER_INPUT naming the
// field, instead of failing deep inside (PostgreSQL refuses NUL in text; a
// lone surrogate cannot be encoded as UTF-8 and would come back changed;
// JSON nested thousands deep overflows the stack of whatever walks it):
//
// - a NUL character (U+0000) or a lone surrogate in any string or object key;
// - JSON (or an object literal) nested deeper than MAX_VALUE_DEPTH;
// - a document nested deeper than MAX_SOURCE_NESTING brackets, found by the
//   lexer before the (recursive) parser sees it.
//
// Field paths are written as the domain writes them: `input.chat.messages[3].content`,
// from the argument (or variable) name down.

import {
  type ArgumentNode,
  type DocumentNode,
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type ValueNode,
  visit,
} from 'graphql';

/** Objects and lists inside one value (metadata, user data, an input object). */
export const MAX_VALUE_DEPTH = 32;
/** Brackets and braces open at once anywhere in a document. */
export const MAX_SOURCE_NESTING = 400;

export function badInput(field: string, message: string): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, {
    extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } },
  });
}

/** Why a string cannot be stored, or null when it can. */
export function unstorableText(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) return `holds a NUL character (U+0000) at ${i}`;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return `holds a lone surrogate (U+${unit.toString(16).toUpperCase()}) at ${i}: not valid Unicode`;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff)
      return `holds a lone surrogate (U+${unit.toString(16).toUpperCase()}) at ${i}: not valid Unicode`;
  }
  return null;
}

/**
 * The first problem in a JSON value (a variable's value), walked without
 * recursion so that no depth can overflow the stack; null when it is fine.
 */
export function checkJsonValue(field: string, value: unknown): GraphQLError | null {
  const stack: { path: string; value: unknown; depth: number }[] = [{ path: field, value, depth: 0 }];
  while (stack.length) {
    const { path, value: current, depth } = stack.pop()!;
    if (typeof current === 'string') {
      const problem = unstorableText(current);
      if (problem) return badInput(path, problem);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_VALUE_DEPTH) return badInput(path, `is nested more than ${MAX_VALUE_DEPTH} levels deep`);
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        stack.push({ path: `${path}[${i}]`, value: current[i], depth: depth + 1 });
      continue;
    }
    const entries = Object.entries(current as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, inner] = entries[i]!;
      const problem = unstorableText(key);
      if (problem) return badInput(path, `has a key that ${problem}`);
      stack.push({ path: `${path}.${key}`, value: inner, depth: depth + 1 });
    }
  }
  return null;
}

/** The first problem in the literal arguments of a document; null when there is none. */
export function checkLiterals(document: DocumentNode): GraphQLError | null {
  let found: GraphQLError | null = null;
  visit(document, {
    Argument(node: ArgumentNode) {
      found ??= checkLiteral(node.name.value, node.value);
      return found ? false : undefined;
    },
  });
  return found;
}

function checkLiteral(field: string, value: ValueNode): GraphQLError | null {
  const stack: { path: string; value: ValueNode; depth: number }[] = [{ path: field, value, depth: 0 }];
  while (stack.length) {
    const { path, value: current, depth } = stack.pop()!;
    switch (current.kind) {
      case Kind.STRING: {
        const problem = unstorableText(current.value);
        if (problem) return badInput(path, problem);
        break;
      }
      case Kind.LIST:
        if (depth >= MAX_VALUE_DEPTH) return badInput(path, `is nested more than ${MAX_VALUE_DEPTH} levels deep`);
        current.values.forEach((item, i) => {
          stack.push({ path: `${path}[${i}]`, value: item, depth: depth + 1 });
        });
        break;
      case Kind.OBJECT:
        if (depth >= MAX_VALUE_DEPTH) return badInput(path, `is nested more than ${MAX_VALUE_DEPTH} levels deep`);
        for (const objectField of current.fields) {
          const problem = unstorableText(objectField.name.value);
          if (problem) return badInput(path, `has a key that ${problem}`);
          stack.push({ path: `${path}.${objectField.name.value}`, value: objectField.value, depth: depth + 1 });
        }
        break;
      default:
        break;
    }
  }
  return null;
}

/**
 * Refuses a document whose brackets nest deeper than MAX_SOURCE_NESTING,
 * counted by graphql's lexer (strings and comments are single tokens), so
 * the recursive parser never meets one deep enough to overflow the stack.
 * Stops at `maxTokens`: the parser refuses longer documents itself.
 */
export function checkSourceNesting(query: string, maxTokens: number): GraphQLError | null {
  const lexer = new Lexer(new Source(query));
  let depth = 0;
  try {
    for (let count = 0; count <= maxTokens; count++) {
      const token = lexer.advance();
      if (token.kind === TokenKind.EOF) return null;
      if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L) {
        if (++depth > MAX_SOURCE_NESTING)
          return new GraphQLError(
            `The document nests brackets more than ${MAX_SOURCE_NESTING} deep; nest values less, or send them as variables`,
            {
              extensions: {
                code: 'GRAPHQL_PARSE_FAILED',
                limit: 'nesting',
                max: MAX_SOURCE_NESTING,
                http: { status: 400 },
              },
            },
          );
      } else if (
        token.kind === TokenKind.BRACE_R ||
        token.kind === TokenKind.BRACKET_R ||
        token.kind === TokenKind.PAREN_R
      ) {
        depth--;
      }
    }
  } catch {
    // A lexical error: the parser reports it with its position.
  }
  return null;
}
