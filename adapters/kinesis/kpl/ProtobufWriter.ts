/**
 * The few protobuf wire-format pieces the KPL format needs, written by hand
 * (a varint is 7 bits a byte, low group first, high bit = more): pulling in a
 * protobuf runtime for two messages would be most of the ingest bundle.
 */
export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  /** A varint field (wire type 0). */
  public uint(field: number, value: number): this {
    this.varint((field << 3) | 0);
    return this.varint(value);
  }

  /** A length-delimited field (wire type 2): bytes, a UTF-8 string or an embedded message. */
  public bytes(field: number, value: Uint8Array | string): this {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    this.varint((field << 3) | 2);
    this.varint(bytes.byteLength);
    this.chunks.push(bytes);
    this.length += bytes.byteLength;
    return this;
  }

  /** Everything written, as one buffer. */
  public finish(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }

  private varint(value: number): this {
    const bytes: number[] = [];
    let rest = value;
    // Division, not `>>>`: indexes and lengths stay exact past 2^31.
    while (rest >= 0x80) {
      bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    bytes.push(rest);
    this.chunks.push(Uint8Array.from(bytes));
    this.length += bytes.length;
    return this;
  }
}

/** Bytes a varint of `value` takes on the wire. */
export function varintBytes(value: number): number {
  let bytes = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes += 1;
  return bytes;
}

/** Bytes a length-delimited field of `payloadBytes` takes, tag included (field numbers below 16). */
export function delimitedFieldBytes(payloadBytes: number): number {
  return 1 + varintBytes(payloadBytes) + payloadBytes;
}
