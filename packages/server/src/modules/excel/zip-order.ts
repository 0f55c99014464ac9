// ExcelJS's streaming reader takes a zip's entries in the order they are stored, and needs
// xl/workbook.xml (sheet names) and xl/sharedStrings.xml before the worksheets. Writers — ExcelJS
// itself, so our own exports too — store workbook.xml last and the shared strings after the
// sheets: the reader then parks each sheet in a temporary file, and under load it sometimes
// reaches the sheets without having been given workbook.xml ("Cannot read properties of
// undefined (reading 'sheets')", exceljs/exceljs#3064). The file is in memory anyway, so we
// store the entries again, metadata first, copying each entry's compressed bytes as they are.
// A file without shared strings (streaming writers, our exports) gets an empty table, else the
// reader parks every sheet in a temporary file before reading it.
import zlib from 'node:zlib';

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const DESCRIPTOR = 0x08074b50;

/** Entries the reader needs before any worksheet, in this order; worksheets follow, then the rest. */
const FIRST = [
  '[Content_Types].xml',
  '_rels/.rels',
  'xl/workbook.xml',
  'xl/_rels/workbook.xml.rels',
  'xl/styles.xml',
  'xl/sharedStrings.xml',
];

const rank = (name: string): number => {
  const i = FIRST.indexOf(name);
  if (i >= 0) return i;
  return /^xl\/worksheets\/[^/]+\.xml$/.test(name) ? FIRST.length : FIRST.length + 1;
};

type TEntry = { name: string; central: Buffer; local: Buffer; order: number };

const SHARED_STRINGS = 'xl/sharedStrings.xml';
const EMPTY_SST = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
);

/** An entry stored without compression (its local header offset is set when written). */
const storedEntry = (name: string, data: Buffer, order: number): TEntry => {
  const nameBytes = Buffer.from(name);
  const crc = zlib.crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(LOCAL, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(CENTRAL, 0);
  central.writeUInt16LE(20, 4); // version made by
  central.writeUInt16LE(20, 6); // version needed
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  return {
    name,
    local: Buffer.concat([local, nameBytes, data]),
    central: Buffer.concat([central, nameBytes]),
    order,
  };
};

/**
 * The same .xlsx with its entries stored metadata first (see the top of the file). Returns the
 * input unchanged when it is not a plain zip this function understands (zip64, spanned, damaged):
 * the reader then reports the file as it would have.
 */
export const metadataFirst = (file: Uint8Array): Uint8Array => {
  try {
    return reorder(Buffer.from(file.buffer, file.byteOffset, file.length)) ?? file;
  } catch {
    return file;
  }
};

const reorder = (zip: Buffer): Buffer | undefined => {
  // End of central directory: the last 22 bytes, or earlier when a comment follows it.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === END) {
      end = i;
      break;
    }
  }
  if (end < 0) return undefined;
  const count = zip.readUInt16LE(end + 10);
  const cdSize = zip.readUInt32LE(end + 12);
  const cdOffset = zip.readUInt32LE(end + 16);
  if (count === 0xffff || cdOffset === 0xffffffff || zip.readUInt16LE(end + 4) !== 0) {
    return undefined; // zip64 or a multi-disk archive
  }
  const entries: TEntry[] = [];
  let at = cdOffset;
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== CENTRAL) return undefined;
    const flags = zip.readUInt16LE(at + 8);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const offset = zip.readUInt32LE(at + 42);
    if (compressed === 0xffffffff || offset === 0xffffffff) return undefined;
    const central = zip.subarray(at, at + 46 + nameLength + extraLength + commentLength);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (zip.readUInt32LE(offset) !== LOCAL) return undefined;
    const localName = zip.readUInt16LE(offset + 26);
    const localExtra = zip.readUInt16LE(offset + 28);
    let length = 30 + localName + localExtra + compressed;
    if (flags & 0x08) {
      // A data descriptor follows the data: crc, sizes, with or without its signature.
      length += zip.readUInt32LE(offset + length) === DESCRIPTOR ? 16 : 12;
    }
    if (offset + length > cdOffset) return undefined;
    entries.push({ name, central, local: zip.subarray(offset, offset + length), order: n });
    at += central.length;
  }
  if (at !== cdOffset + cdSize) return undefined;
  if (!entries.some((e) => e.name === SHARED_STRINGS))
    entries.push(storedEntry(SHARED_STRINGS, EMPTY_SST, count));
  entries.sort((a, b) => rank(a.name) - rank(b.name) || a.order - b.order);
  const parts: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    parts.push(e.local);
    const central = Buffer.from(e.central);
    central.writeUInt32LE(offset, 42);
    centrals.push(central);
    offset += e.local.length;
  }
  const tail = Buffer.from(zip.subarray(end, zip.length));
  tail.writeUInt16LE(entries.length, 8);
  tail.writeUInt16LE(entries.length, 10);
  tail.writeUInt32LE(offset, 16);
  tail.writeUInt32LE(
    centrals.reduce((n, c) => n + c.length, 0),
    12,
  );
  return Buffer.concat([...parts, ...centrals, tail]);
};
