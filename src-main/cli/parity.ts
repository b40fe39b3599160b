/**
 * Checks the fused GRU against a PyTorch parity file and prints the largest relative error of
 * every quantity (outputs, each layer's final state, loss, grad_x, every weight gradient in the
 * Keras and the PyTorch layout).
 *
 *   npx tsx src-main/cli/parity.ts <file.json> [--backend cpu|wasm]
 *
 * The file has the format of shared/fixtures/reference/gru_parity_*.json. Relative error is
 * max|ours - ref| / max(max|ref|, 1e-6) per quantity. Exit code 1 when any exceeds 1e-4, or
 * when the file or the arguments are bad (one line on stderr).
 */
import * as tf from '@tensorflow/tfjs';
import { checkParity, formatParityTable, PARITY_TOLERANCE, worstRow } from '../training/gru/parityCheck';
import { loadParityFixture } from '../training/gru/parityFixture';
import { useBackend, type ToolBackend } from '../training/gru/toolBackend';

const USAGE = 'usage: npx tsx src-main/cli/parity.ts <file.json> [--backend cpu|wasm]';

interface Args {
  readonly file: string;
  readonly backend: ToolBackend;
}

function parseArgs(argv: readonly string[]): Args {
  let file: string | null = null;
  let backend: ToolBackend = 'cpu';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--backend' || arg.startsWith('--backend=')) {
      const value = arg === '--backend' ? argv[++i] : arg.slice('--backend='.length);
      if (value !== 'cpu' && value !== 'wasm') throw new Error(`--backend must be cpu or wasm, got ${value ?? 'nothing'}`);
      backend = value;
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}`);
    } else if (file === null) {
      file = arg;
    } else {
      throw new Error(`only one file, got ${file} and ${arg}`);
    }
  }
  if (file === null) throw new Error('no parity file given');
  return { file, backend };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(argv: readonly string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`parity: ${messageOf(error)}\n${USAGE}\n`);
    return 1;
  }
  try {
    const fixture = loadParityFixture(args.file);
    await useBackend(args.backend);
    const rows = checkParity(fixture);
    const worst = worstRow(rows);
    const padding = fixture.lengths === null ? 'none' : `lengths [${fixture.lengths.join(', ')}]`;
    process.stdout.write(
      `${args.file}\nbackend ${tf.getBackend()}, float32; B=${fixture.batch} T=${fixture.steps} D=${fixture.inputSize} ` +
        `H=${fixture.hiddenSize}, ${fixture.layers.length} layer(s), padding: ${padding}\n\n${formatParityTable(rows)}\n\n`,
    );
    const ok = worst.relativeError <= PARITY_TOLERANCE;
    const verdict = ok ? 'PASS' : 'FAIL';
    process.stdout.write(`${verdict}: largest relative error ${worst.relativeError.toExponential(3)} (${worst.quantity}), tolerance ${PARITY_TOLERANCE}\n`);
    return ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`parity: ${messageOf(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
