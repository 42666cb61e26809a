// statements_arrow.mjs - a small, independent Apache Arrow IPC *stream* reader for the
// tests (no apache-arrow package here): reads flatbuffers by hand from the format's
// Schema.fbs / Message.fbs field ids, checks the framing rules (continuation marker,
// 8-byte aligned metadata and buffers, end-of-stream marker) and decodes the types the
// Statement Execution API writes. Written from the specification, independent of the C
// writer.

const TYPE = { 1: 'null', 2: 'int', 3: 'float', 4: 'binary', 5: 'utf8', 6: 'bool', 7: 'decimal', 8: 'date', 10: 'timestamp', 11: 'interval', 18: 'duration' };

class FB {
  constructor(buf) { this.b = buf; }
  u8(p) { return this.b.readUInt8(p); }
  i16(p) { return this.b.readInt16LE(p); }
  u16(p) { return this.b.readUInt16LE(p); }
  i32(p) { return this.b.readInt32LE(p); }
  u32(p) { return this.b.readUInt32LE(p); }
  i64(p) { return this.b.readBigInt64LE(p); }
  // position of field i of the table at t, or null when absent
  field(t, i) {
    const vt = t - this.i32(t);
    if (vt % 2 !== 0 || t % 4 !== 0) throw new Error('misaligned table or vtable');
    const vtSize = this.u16(vt);
    if (4 + 2 * i >= vtSize) return null;
    const off = this.u16(vt + 4 + 2 * i);
    return off === 0 ? null : t + off;
  }
  ref(p) { return p + this.u32(p); }
  scalar(t, i, kind, dflt) {
    const p = this.field(t, i);
    if (p === null) return dflt;
    const size = { u8: 1, i16: 2, i32: 4, i64: 8 }[kind];
    if (p % size !== 0) throw new Error(`misaligned ${kind} field`);
    return this[kind](p);
  }
  table(t, i) { const p = this.field(t, i); return p === null ? null : this.ref(p); }
  string(t, i) {
    const p = this.table(t, i);
    if (p === null) return null;
    return this.b.subarray(p + 4, p + 4 + this.u32(p)).toString('utf8');
  }
  vector(t, i) { const p = this.table(t, i); return p === null ? null : { at: p + 4, n: this.u32(p) }; }
}

function readType(fb, field) {
  const id = fb.scalar(field, 2, 'u8', 0);
  const t = fb.table(field, 3);
  const kind = TYPE[id];
  if (!kind) throw new Error(`unexpected type id ${id}`);
  const out = { kind };
  if (kind === 'int') { out.bitWidth = fb.scalar(t, 0, 'i32', 0); out.signed = fb.scalar(t, 1, 'u8', 0) === 1; }
  if (kind === 'float') out.precision = fb.scalar(t, 0, 'i16', 0);
  if (kind === 'decimal') { out.precision = fb.scalar(t, 0, 'i32', 0); out.scale = fb.scalar(t, 1, 'i32', 0); out.bitWidth = fb.scalar(t, 2, 'i32', 128); }
  if (kind === 'date') out.unit = fb.scalar(t, 0, 'i16', 1);
  if (kind === 'timestamp') { out.unit = fb.scalar(t, 0, 'i16', 0); out.timezone = fb.string(t, 1); }
  if (kind === 'interval') out.unit = fb.scalar(t, 0, 'i16', 0);
  if (kind === 'duration') out.unit = fb.scalar(t, 0, 'i16', 1);
  return out;
}

function decodeColumn(type, body, node, bufs) {
  const n = Number(node.length);
  const valid = (i) => {
    if (node.nullCount === 0n || type.kind === 'null') return type.kind !== 'null';
    const v = bufs[0];
    return ((body[v.offset + (i >> 3)] >> (i & 7)) & 1) === 1;
  };
  const out = [];
  for (let i = 0; i < n; i++) {
    if (!valid(i)) { out.push(null); continue; }
    const vb = bufs[1];
    const at = body.byteOffset + vb.offset;
    const dv = new DataView(body.buffer, at, Math.max(vb.length, 0));
    switch (type.kind) {
      case 'bool': out.push(((body[vb.offset + (i >> 3)] >> (i & 7)) & 1) === 1); break;
      case 'int': {
        const w = type.bitWidth / 8;
        out.push(w === 1 ? dv.getInt8(i) : w === 2 ? dv.getInt16(i * 2, true) : w === 4 ? dv.getInt32(i * 4, true) : dv.getBigInt64(i * 8, true));
        break;
      }
      case 'float': out.push(type.precision === 1 ? dv.getFloat32(i * 4, true) : dv.getFloat64(i * 8, true)); break;
      case 'decimal': {
        const lo = dv.getBigUint64(i * 16, true), hi = dv.getBigInt64(i * 16 + 8, true);
        out.push((hi << 64n) + lo);
        break;
      }
      case 'date': case 'interval': out.push(dv.getInt32(i * 4, true)); break;
      case 'timestamp': case 'duration': out.push(dv.getBigInt64(i * 8, true)); break;
      case 'utf8': case 'binary': {
        const start = dv.getInt32(i * 4, true), end = dv.getInt32(i * 4 + 4, true);
        const data = body.subarray(bufs[2].offset + start, bufs[2].offset + end);
        out.push(type.kind === 'utf8' ? Buffer.from(data).toString('utf8') : Buffer.from(data));
        break;
      }
      default: throw new Error(`cannot decode ${type.kind}`);
    }
  }
  return out;
}

const BUFFERS = { null: 0, bool: 2, int: 2, float: 2, decimal: 2, date: 2, timestamp: 2, interval: 2, duration: 2, utf8: 3, binary: 3 };

// Decode a whole stream: { fields: [{name, nullable, type}], rows: [[...]] , batches }.
export function decodeArrowStream(buf) {
  let pos = 0, fields = null, batches = 0;
  const rows = [];
  for (;;) {
    if (pos + 8 > buf.length) throw new Error('stream ends without the end-of-stream marker');
    if (buf.readUInt32LE(pos) !== 0xFFFFFFFF) throw new Error(`no continuation marker at ${pos}`);
    const metaLen = buf.readInt32LE(pos + 4);
    if (metaLen === 0) { pos += 8; break; }
    if ((8 + metaLen) % 8 !== 0) throw new Error('metadata not padded to 8 bytes');
    const fb = new FB(buf.subarray(pos + 8, pos + 8 + metaLen));
    const msg = fb.u32(0);
    const version = fb.scalar(msg, 0, 'i16', 0);
    if (version !== 4) throw new Error(`metadata version ${version}, expected V5 (4)`);
    const headerType = fb.scalar(msg, 1, 'u8', 0);
    const header = fb.table(msg, 2);
    const bodyLen = Number(fb.scalar(msg, 3, 'i64', 0n));
    if (bodyLen % 8 !== 0) throw new Error('body not padded to 8 bytes');
    const body = buf.subarray(pos + 8 + metaLen, pos + 8 + metaLen + bodyLen);
    pos += 8 + metaLen + bodyLen;
    if (headerType === 1) {
      if (fields) throw new Error('a second schema');
      const v = fb.vector(header, 1);
      fields = [];
      for (let i = 0; i < v.n; i++) {
        const f = fb.ref(v.at + 4 * i);
        fields.push({ name: fb.string(f, 0), nullable: fb.scalar(f, 1, 'u8', 0) === 1, type: readType(fb, f) });
      }
    } else if (headerType === 3) {
      if (!fields) throw new Error('a record batch before the schema');
      batches++;
      const length = Number(fb.scalar(header, 0, 'i64', 0n));
      const nv = fb.vector(header, 1), bv = fb.vector(header, 2);
      if (nv.at % 8 !== 0 || bv.at % 8 !== 0) throw new Error('struct vectors not 8-aligned');
      const nodes = [], bufs = [];
      for (let i = 0; i < nv.n; i++) nodes.push({ length: fb.i64(nv.at + 16 * i), nullCount: fb.i64(nv.at + 16 * i + 8) });
      for (let i = 0; i < bv.n; i++) {
        const b = { offset: Number(fb.i64(bv.at + 16 * i)), length: Number(fb.i64(bv.at + 16 * i + 8)) };
        if (b.offset % 8 !== 0 || b.offset + b.length > bodyLen) throw new Error('buffer misaligned or out of the body');
        bufs.push(b);
      }
      if (nodes.length !== fields.length) throw new Error('one node per field expected');
      let k = 0;
      const cols = fields.map((f, c) => {
        const nb = BUFFERS[f.type.kind];
        const col = decodeColumn(f.type, body, nodes[c], bufs.slice(k, k + nb));
        k += nb;
        if (col.length !== length) throw new Error('column length differs from the batch length');
        return col;
      });
      if (k !== bufs.length) throw new Error('buffers left over');
      for (let r = 0; r < length; r++) rows.push(cols.map((c) => c[r]));
    } else {
      throw new Error(`unexpected message type ${headerType}`);
    }
  }
  if (pos !== buf.length) throw new Error('bytes after the end-of-stream marker');
  return { fields, rows, batches };
}
