import { AggregatedRecordFormatError } from '../../../core/errors';

/** One field read off the wire: its number, and its value (a number for varints, bytes otherwise). */
export type ProtobufField =
  | { readonly field: number; readonly wireType: 0; readonly value: number }
  | { readonly field: number; readonly wireType: 2; readonly value: Uint8Array };

/**
 * Reads protobuf fields one by one. Fixed-width fields (wire types 1 and 5)
 * are skipped, as a reader must for fields it does not know; groups (3, 4),
 * truncated values and varints longer than 10 bytes are format errors.
 */
export class ProtobufReader {
  private offset = 0;

  public constructor(private readonly bytes: Uint8Array) {}

  /** The next field this reader understands, or undefined at the end. */
  public next(): ProtobufField | undefined {
    while (this.offset < this.bytes.byteLength) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wireType = tag % 8;
      if (field === 0) throw new AggregatedRecordFormatError(`field number 0 at byte ${this.offset}`);
      if (wireType === 0) return { field, wireType, value: this.varint() };
      if (wireType === 2) {
        const length = this.varint();
        if (this.offset + length > this.bytes.byteLength) throw new AggregatedRecordFormatError(`field ${field} claims ${length} bytes, ${this.bytes.byteLength - this.offset} are left`);
        const value = this.bytes.subarray(this.offset, this.offset + length);
        this.offset += length;
        return { field, wireType, value };
      }
      if (wireType === 1 || wireType === 5) {
        this.skip(wireType === 1 ? 8 : 4, field);
        continue;
      }
      throw new AggregatedRecordFormatError(`field ${field} has wire type ${wireType}, which the format never uses`);
    }
    return undefined;
  }

  private skip(bytes: number, field: number): void {
    if (this.offset + bytes > this.bytes.byteLength) throw new AggregatedRecordFormatError(`field ${field} is cut off`);
    this.offset += bytes;
  }

  private varint(): number {
    let value = 0;
    let scale = 1;
    for (let read = 0; read < 10; read += 1) {
      if (this.offset >= this.bytes.byteLength) throw new AggregatedRecordFormatError('a varint is cut off at the end');
      const byte = this.bytes[this.offset]!;
      this.offset += 1;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 0x80;
    }
    throw new AggregatedRecordFormatError('a varint is longer than 10 bytes');
  }
}
