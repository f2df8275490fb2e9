/**
 * The child process of killDuringTableLog.test.ts: edits a file table round after round with the real
 * store code (appends, and a rewrite whenever superseded records outweigh the live ones), printing each
 * round's number once its save returned, until it is killed.
 */
import { FileTable } from '../../src/server/indexing/store/fileTable';

const [path, filesArg, perRoundArg] = process.argv.slice(2);
const files = Number(filesArg);
const perRound = Number(perRoundArg);
const table = FileTable.open(path, '/ws', (m) => {
  console.error(m);
  process.exit(3);
});
const text = (file: number, round: number) => `file ${file} written in round ${round} `.repeat(4);
const start = Math.max(0, ...[...table.files.values()].map((e) => Number(e.contentHash))) + 1;
for (let round = start; ; round++) {
  // The first save of an empty table writes every file; later ones a slice each.
  const all = table.files.size < files;
  for (let j = 0; j < (all ? files : perRound); j++) {
    const file = all ? j : (round * perRound + j) % files;
    const hash = file.toString(16).padStart(32, '0');
    table.set(`notes/n${file}.md`, {
      size: round,
      mtimeMs: round,
      contentHash: String(round),
      chunks: [{ hash, text: text(file, round), kind: 'markdown', language: 'markdown', range: { startLine: 0, startCharacter: 0, endLine: 1, endCharacter: 0 }, tiny: false }],
    });
  }
  table.save();
  process.stdout.write(`${round}\n`);
}
