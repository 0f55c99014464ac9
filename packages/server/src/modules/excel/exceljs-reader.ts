import { createRequire } from 'node:module';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type ExcelJS from 'exceljs';

// ExcelJS 4.4's streaming reader decodes each inflated 16 KB chunk of a sheet on its own
// (lib/utils/parse-sax.js), so a Chinese character split across two chunks becomes two U+FFFD —
// about one cell in a few thousand (exceljs/exceljs#2084, #2063; unfixed upstream). We load our
// own copies of the reader modules bound to a parse-sax that carries the partial character over
// to the next chunk; the rest of ExcelJS is shared as usual.

const requireHere = createRequire(import.meta.url);
const base = path.dirname(requireHere.resolve('exceljs/package.json'));
const requireExcel = createRequire(path.join(base, 'package.json'));
const { SaxesParser } = requireExcel('saxes') as {
  SaxesParser: new () => {
    on: (event: string, fn: (value: unknown) => void) => void;
    write: (text: string) => void;
  };
};

type TSaxEvent = { eventType: 'opentag' | 'text' | 'closetag'; value: unknown };

/** parse-sax of ExcelJS with a UTF-8 decoder that spans chunks. */
async function* parseSax(iterable: AsyncIterable<Buffer | string>): AsyncGenerator<TSaxEvent[]> {
  const parser = new SaxesParser();
  const decoder = new StringDecoder('utf8');
  let error: unknown;
  parser.on('error', (e) => {
    error = e;
  });
  let events: TSaxEvent[] = [];
  parser.on('opentag', (value) => events.push({ eventType: 'opentag', value }));
  parser.on('text', (value) => events.push({ eventType: 'text', value }));
  parser.on('closetag', (value) => events.push({ eventType: 'closetag', value }));
  for await (const chunk of iterable) {
    parser.write(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    if (error) throw error;
    yield events;
    events = [];
  }
  const rest = decoder.end();
  if (rest) {
    parser.write(rest);
    if (error) throw error;
    yield events;
  }
}

const loadReader = (): typeof ExcelJS.stream.xlsx.WorkbookReader => {
  const cache = requireExcel.cache;
  const saxPath = requireExcel.resolve('./lib/utils/parse-sax.js');
  const readerPaths = [
    requireExcel.resolve('./lib/stream/xlsx/workbook-reader.js'),
    requireExcel.resolve('./lib/stream/xlsx/worksheet-reader.js'),
  ];
  const original = cache[saxPath];
  const originals = readerPaths.map((p) => cache[p]);
  try {
    cache[saxPath] = { id: saxPath, filename: saxPath, loaded: true, exports: parseSax } as never;
    for (const p of readerPaths) delete cache[p];
    return requireExcel('./lib/stream/xlsx/workbook-reader.js');
  } finally {
    // Everyone else keeps the modules they had.
    if (original) cache[saxPath] = original;
    else delete cache[saxPath];
    readerPaths.forEach((p, i) => {
      if (originals[i]) cache[p] = originals[i];
      else delete cache[p];
    });
  }
};

/** The ExcelJS streaming workbook reader, with multi-byte characters read whole. */
export const WorkbookReader = loadReader();
