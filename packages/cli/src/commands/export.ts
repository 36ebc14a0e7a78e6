import * as fs from 'fs';
import * as path from 'path';
import { loadModel, writeFileAtomic } from '@loopflow/pipeline';
import { exportOnnx, formatValueSignature, onnxSignature } from '@loopflow/onnx';
import type { Command } from './command';
import { EXIT } from '../io';
import { errorJson, JSON_OPTION, messageOf, onePath } from './shared';
import { JsonOutput } from '../json';
import { UsageError } from '../args';

/** Writes bytes atomically (pipeline's writeFileAtomic: a temporary file beside the target, then a rename); a failure is a WRITE_FAILED error saying what to check. */
function writeAtomic(file: string, bytes: Uint8Array): void {
  try {
    writeFileAtomic(file, bytes);
  } catch (e) {
    fs.rmSync(`${file}.${process.pid}.tmp`, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw Object.assign(new Error(`cannot write ${file} (${code ?? messageOf(e)}); check that its folder exists and is writable`), { code: 'WRITE_FAILED' });
  }
}

/** `loopflow export <run folder> --onnx <file>`: the run's model as an ONNX file (@loopflow/onnx). */
export const exportCommand: Command = {
  name: 'export',
  usage: 'export <run folder> --onnx <file> [--initial-state] [--no-lengths] [--json]',
  summary: "Write a run's model as an ONNX file (checked to run in ONNX Runtime; docs/onnx.md).",
  options: {
    onnx: { type: 'string', value: '<file>', description: 'The ONNX file to write (required).' },
    'initial-state': { type: 'flag', description: 'Recurrent models: add graph inputs h0 (and c0), the state to start from.' },
    'no-lengths': { type: 'flag', description: 'Leave out the sequence_lens input: every sequence is as long as the batch.' },
    json: JSON_OPTION,
  },
  async run(args, io) {
    const runDir = path.resolve(io.cwd, onePath(args.positionals, 'run folder', 'export'));
    const target = args.options.onnx as string | undefined;
    if (target === undefined || target === '') throw new UsageError('missing --onnx <file>', 'loopflow export <run folder> --onnx model.onnx');
    const file = path.resolve(io.cwd, target);
    const json = args.options.json ? new JsonOutput(io.stdout) : null;
    try {
      const { model } = loadModel(runDir);
      const bytes = exportOnnx(model, {
        ...(args.options['initial-state'] ? { initialState: true } : {}),
        ...(args.options['no-lengths'] ? { sequenceLens: false } : {}),
      });
      writeAtomic(file, bytes);
      const signature = onnxSignature(bytes);
      const output = { runDir, file, bytes: bytes.length, opset: signature.opset, inputs: signature.inputs, outputs: signature.outputs };
      if (json) return json.result('export', EXIT.ok, output);
      io.stdout.write([
        `wrote ${path.relative(io.cwd, file) || file} (${bytes.length} bytes, ONNX opset ${signature.opset})`,
        `  inputs:  ${signature.inputs.map(formatValueSignature).join(', ')}`,
        `  outputs: ${signature.outputs.map(formatValueSignature).join(', ')}`,
      ].join('\n') + '\n');
      return EXIT.ok;
    } catch (e) {
      if (json) return json.result('export', EXIT.failed, { runDir, file, error: errorJson(e) });
      io.stderr.write(`export failed: ${messageOf(e)}\n`);
      return EXIT.failed;
    }
  },
};
