#!/usr/bin/env node
// Stores the model's embedding tables as int8, so the shipped ONNX file stays small (11.5 MB → ~3.6 MB).
//   node scripts/train/quantize_embeddings.mjs --in model.onnx --out model.onnx [--min-elements 100000]
//
// Only tables read by a Gather are changed (the token, n-gram and "wide" embeddings: 90 % of the weights):
// each becomes an int8 table with one symmetric scale per column, and the rows a Gather picks are turned
// back into floats by a DequantizeLinear right after it (axis −1) — so only the gathered rows are
// dequantized per inference, never the whole table. Matrices of the transformer layers stay float32.
// The graph's inputs and outputs are unchanged; transformers.js and onnxruntime run it as before.
// Measure the result with scripts/train/eval_cold.mjs (accuracy and agreement against the float model).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    in: { type: 'string' },
    out: { type: 'string' },
    'min-elements': { type: 'string', default: '100000' },
  },
});
if (!values.in || !values.out) {
  console.error('usage: quantize_embeddings.mjs --in MODEL.onnx --out MODEL.onnx [--min-elements N]');
  process.exit(2);
}
// onnxruntime-web ships the ONNX protobuf schema compiled for protobufjs; it is not an exported subpath,
// so it is loaded by file path.
const require = createRequire(import.meta.url);
const schema = require
  .resolve('onnxruntime-web')
  .replace(/dist[/\\].*$/, 'lib/onnxjs/ort-schema/protobuf/onnx.js');
const { onnx } = require(schema);

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT8 = onnx.TensorProto.DataType.INT8;
const minElements = Number(values['min-elements']);

const model = onnx.ModelProto.decode(readFileSync(values.in));
const graph = model.graph;
const nodes = [];
let saved = 0;
for (const node of graph.node) {
  nodes.push(node);
  if (node.opType !== 'Gather') continue;
  const table = graph.initializer.find((t) => t.name === node.input[0]);
  if (!table || table.dataType !== FLOAT || table.dims.length !== 2) continue;
  const [rows, cols] = table.dims.map(Number);
  if (rows * cols < minElements) continue;
  const data = floats(table);
  // One symmetric scale per column: columns of an embedding differ in range far more than rows do.
  const scale = new Float32Array(cols);
  for (let i = 0; i < data.length; i++) scale[i % cols] = Math.max(scale[i % cols], Math.abs(data[i]));
  for (let c = 0; c < cols; c++) scale[c] = scale[c] > 0 ? scale[c] / 127 : 1;
  const q = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++)
    q[i] = Math.max(-127, Math.min(127, Math.round(data[i] / scale[i % cols])));

  const name = table.name;
  graph.initializer.splice(graph.initializer.indexOf(table), 1);
  graph.initializer.push(
    onnx.TensorProto.create({ name: `${name}_int8`, dims: [rows, cols], dataType: INT8, rawData: bytes(q) }),
    onnx.TensorProto.create({ name: `${name}_scale`, dims: [cols], dataType: FLOAT, rawData: bytes(scale) }),
    onnx.TensorProto.create({
      name: `${name}_zero`,
      dims: [cols],
      dataType: INT8,
      rawData: bytes(new Int8Array(cols)),
    }),
  );
  const out = node.output[0];
  node.input[0] = `${name}_int8`;
  node.output[0] = `${out}_int8`;
  nodes.push(
    onnx.NodeProto.create({
      name: `${node.name || out}_dequantize`,
      opType: 'DequantizeLinear',
      input: [`${out}_int8`, `${name}_scale`, `${name}_zero`],
      output: [out],
      attribute: [
        onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }),
      ],
    }),
  );
  // An older exporter lists initializers among the graph inputs too.
  graph.input = graph.input.filter((i) => i.name !== name);
  saved += data.length * 3;
  console.log(`${name}: [${rows}, ${cols}] float32 → int8, per-column scales`);
}
graph.node = nodes;
// DequantizeLinear with an axis needs opset 13 or later.
const opset = model.opsetImport.find((o) => !o.domain);
if (!opset || Number(opset.version) < 13)
  throw new Error('the model needs ONNX opset >= 13 for per-axis DequantizeLinear');
writeFileSync(values.out, onnx.ModelProto.encode(model).finish());
console.log(`saved ${(saved / 1e6).toFixed(1)} MB; wrote ${values.out}`);

function floats(t) {
  if (t.rawData && t.rawData.length > 0) {
    const copy = Uint8Array.from(t.rawData);
    return new Float32Array(copy.buffer, 0, copy.length / 4);
  }
  return Float32Array.from(t.floatData);
}

function bytes(typed) {
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}
