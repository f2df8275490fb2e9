/**
 * @file A small helper for writing ONNX graphs by hand: nodes, constants and initializers with unique names.
 * Only the ONNX protobuf schema (onnx-proto) is needed; no Python, no exporter.
 */
import { onnx } from 'onnx-proto';

export const OPSET = 17;
const IR_VERSION = 8;

type AttrValue = number | number[] | string;

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private counter = 0;

  /** Adds a node and returns the names of its outputs (one per `outputCount`). */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputCount = 1): string[] {
    const id = `${opType}_${this.counter++}`;
    const outputs = Array.from({ length: outputCount }, (_, i) => `${id}_out${i}`);
    this.nodes.push({ opType, input: inputs, output: outputs, name: id, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return outputs;
  }

  /** Single-output shorthand for `op`. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.op(opType, inputs, attrs)[0];
  }

  /** Renames a value by passing it through Identity, so graph outputs get stable names. */
  output(value: string, name: string, elemType: onnx.TensorProto.DataType, dims: (string | number)[]): void {
    this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `out_${name}` });
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  input(name: string, elemType: onnx.TensorProto.DataType, dims: (string | number)[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  floatTensor(name: string, dims: number[], data: Float32Array): string {
    this.initializers.push({
      name,
      dims,
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  int8Tensor(name: string, dims: number[], values: ArrayLike<number>): string {
    const data = Int8Array.from(values);
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.INT8, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  int64Tensor(name: string, dims: number[], values: ArrayLike<number>): string {
    const data = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  /** A scalar float constant (shared by name, so repeated constants cost one initializer). */
  scalar(value: number): string {
    const name = `const_f_${value}`;
    if (!this.initializers.some((t) => t.name === name)) this.floatTensor(name, [], Float32Array.of(value));
    return name;
  }

  ints(values: number[]): string {
    const name = `const_i_${values.join('_').replace(/-/g, 'm')}`;
    if (!this.initializers.some((t) => t.name === name)) this.int64Tensor(name, [values.length], values);
    return name;
  }

  encode(graphName: string, producer: string): Uint8Array {
    const model: onnx.IModelProto = {
      irVersion: IR_VERSION,
      producerName: producer,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: { name: graphName, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    };
    return onnx.ModelProto.encode(model).finish();
  }
}

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  return Number.isInteger(value) ? { name, type: T.INT, i: value } : { name, type: T.FLOAT, f: value };
}

function valueInfo(name: string, elemType: onnx.TensorProto.DataType, dims: (string | number)[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}
