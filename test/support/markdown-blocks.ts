import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A fenced shell block of a Markdown page, as written. */
export interface ShellBlock {
  /** The page, relative to the project. */
  file: string;
  /** The line of the opening fence. */
  line: number;
  text: string;
  /** The block's first line: its name in the tests' table of expected output. */
  title: string;
}

/** The README, then every page under `docs/`, in the order of their paths. */
export function documentationPages(root: string): string[] {
  const pages: string[] = [join(root, 'README.md')];
  const walk = (directory: string) => {
    const entries = readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) pages.push(path);
    }
  };
  walk(join(root, 'docs'));
  return pages;
}

/** Every ```sh block of the pages. */
export function shellBlocks(root: string): ShellBlock[] {
  return documentationPages(root).flatMap((path) => {
    const lines = readFileSync(path, 'utf8').split('\n');
    const blocks: ShellBlock[] = [];
    for (let index = 0; index < lines.length; index++) {
      if (!/^```(sh|bash|shell)\s*$/.test(lines[index]!)) continue;
      const end = lines.findIndex((line, after) => after > index && line.startsWith('```'));
      const text = lines.slice(index + 1, end).join('\n');
      blocks.push({ file: relative(root, path), line: index + 1, text, title: text.split('\n')[0]!.trim() });
      index = end;
    }
    return blocks;
  });
}

/** The commands of a block, without its comments: what decides whether it talks to the local stack. */
export function commandsOf(block: ShellBlock): string {
  return block.text
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join('\n');
}
