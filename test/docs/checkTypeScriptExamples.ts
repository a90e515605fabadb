import path from 'node:path';
import ts from 'typescript';

/** A TypeScript example from the docs, to be compiled as if it were a file in `infra/`. */
export interface TypeScriptExample {
  /** Where it is written, `docs/x.md:12` (the opening fence). */
  readonly at: string;
  readonly text: string;
}

/**
 * Type-checks the examples with the project's compiler options, each as a file
 * in `infra/` (where `infra/tributary.config.ts` lives, so its imports read the
 * same), and returns one `docs/x.md:<line>: <message>` per error. Unused locals
 * are allowed: an example may declare a value only to show it.
 */
export function checkTypeScriptExamples(root: string, examples: readonly TypeScriptExample[]): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('tsconfig.json could not be read');
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false };
  const virtual = new Map(examples.map((example, index) => [path.join(root, 'infra', `__docsExample${index}.ts`), example]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const example = virtual.get(path.resolve(fileName));
    return example ? ts.createSourceFile(fileName, example.text, languageVersion, true) : getSourceFile(fileName, languageVersion, onError, shouldCreate);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => virtual.has(path.resolve(fileName)) || fileExists(fileName);
  const program = ts.createProgram([...virtual.keys()], options, host);
  const problems: string[] = [];
  for (const [fileName, example] of virtual) {
    const sourceFile = program.getSourceFile(fileName)!;
    for (const diagnostic of [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]) {
      const { line } = diagnostic.start === undefined ? { line: 0 } : sourceFile.getLineAndCharacterOfPosition(diagnostic.start);
      const [file, fenceLine] = example.at.split(':');
      problems.push(`${file}:${Number(fenceLine) + 1 + line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`);
    }
  }
  return problems;
}
