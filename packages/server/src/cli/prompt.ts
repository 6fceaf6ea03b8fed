// Questions on a terminal (node:readline); a password is not echoed. Commands prompt only
// when stdin is a terminal: a script without the flag gets a usage error, never a hang.
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

export const canPrompt = (): boolean => process.stdin.isTTY === true;

async function question(text: string, hidden: boolean): Promise<string> {
  let muted = false;
  // Everything readline echoes goes through here; while muted, typed characters are dropped.
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = rl.question(text);
    muted = hidden;
    const raw = await answer;
    return hidden ? raw : raw.trim();
  } finally {
    if (hidden) process.stdout.write('\n');
    rl.close();
  }
}

/** Asks until `check` accepts the answer (it returns the complaint, or undefined). */
export async function ask(
  text: string,
  check: (answer: string) => string | undefined = () => undefined,
) {
  for (;;) {
    const answer = await question(`${text}: `, false);
    const complaint = check(answer);
    if (!complaint) return answer;
    process.stdout.write(`  ${complaint}\n`);
  }
}

export async function askPassword(text: string): Promise<string> {
  for (;;) {
    const first = await question(`${text} (8+ characters): `, true);
    if (first.length < 8) {
      process.stdout.write('  at least 8 characters, please\n');
      continue;
    }
    if ((await question('Again, to be sure: ', true)) === first) return first;
    process.stdout.write("  those didn't match; once more\n");
  }
}
