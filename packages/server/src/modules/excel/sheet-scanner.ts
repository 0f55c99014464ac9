// The cells of a worksheet's XML, scanned without a general XML parser. A sheet is most of an
// .xlsx file (40 MB of XML for 100,000 rows of 7 columns), and saxes — which still reads the
// workbook, styles and shared strings — allocated a tag object, an attribute object and a string
// per attribute for each of its 1.5 million elements: 0.8 GB of garbage and about 0.6 s of CPU
// for that sheet, 75% of the reading's garbage and most of its time (docs/performance.md,
// Import, third round). A sheet's XML needs little: element names (a namespace prefix is
// dropped), three attributes (`r`, `s`, `t`), text with the five entities and character
// references, CDATA, comments and processing instructions. Anything else that is not
// well-formed enough to scan is an error, as saxes would report it.

export class SheetXmlError extends Error {}

/** The longest unfinished element or text kept between pieces (characters). */
export const MAX_PENDING = 1024 * 1024;

/** The attributes the sheet reader uses; other attributes are skipped. */
export type TSheetAttributes = {
  r: string | undefined;
  s: string | undefined;
  t: string | undefined;
};

export type TSheetHandlers = {
  open: (name: string, attributes: TSheetAttributes) => void;
  close: (name: string) => void;
  /** Text between tags, entities decoded (only called when `wantText()` is true). */
  text: (text: string) => void;
  wantText: () => boolean;
};

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Text with its entities and character references decoded, line ends as XML reads them. */
export const decodeXmlText = (raw: string): string => {
  let s = raw;
  if (s.includes('\r')) s = s.replace(/\r\n?/g, '\n');
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new SheetXmlError('bare & in text');
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (!(code >= 0 && code <= 0x10ffff)) throw new SheetXmlError(`bad reference ${whole}`);
      return String.fromCodePoint(code);
    }
    const e = ENTITIES[ref];
    if (e === undefined) throw new SheetXmlError(`unknown entity ${whole}`);
    return e;
  });
};

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** White space as `String.prototype.trim` removes it (names were trimmed so before). */
const isTrimSpace = (c: number) =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  (c >= 0xa0 &&
    (c === 0xa0 ||
      c === 0x1680 ||
      (c >= 0x2000 && c <= 0x200a) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0x202f ||
      c === 0x205f ||
      c === 0x3000 ||
      c === 0xfeff));

/**
 * The local name (a namespace prefix dropped) of the element name `s[from, to)`. The names of a
 * sheet's cells come back as constants, without a string cut for each of the sheet's million
 * elements (their garbage was a good part of the reading's).
 */
const localNameAt = (s: string, from: number, to: number): string => {
  let start = from;
  for (let k = from; k < to; k++)
    if (s.charCodeAt(k) === 58 /* : */) {
      start = k + 1;
      break;
    }
  const c0 = s.charCodeAt(start);
  switch (to - start) {
    case 1:
      if (c0 === 99 /* c */) return 'c';
      if (c0 === 118 /* v */) return 'v';
      if (c0 === 116 /* t */) return 't';
      break;
    case 2:
      if (c0 === 105 /* i */ && s.charCodeAt(start + 1) === 115 /* s */) return 'is';
      break;
    case 3:
      if (s.startsWith('row', start)) return 'row';
      if (s.startsWith('rPh', start)) return 'rPh';
      break;
  }
  return s.slice(start, to);
};

/**
 * A scanner fed the sheet's XML a piece at a time (`write`), calling the handlers for each
 * complete tag and text; an element or text cut by the end of a piece waits for the next.
 */
export const sheetScanner = (h: TSheetHandlers) => {
  let rest = '';
  const attributes: TSheetAttributes = { r: undefined, s: undefined, t: undefined };

  /** Scans `s` from 0; returns where the unfinished part starts (s.length when none). */
  const scan = (s: string): number => {
    let i = 0;
    const n = s.length;
    while (i < n) {
      const lt = s.indexOf('<', i);
      if (lt < 0) return i; // text cut by the end of the piece
      if (lt > i && h.wantText()) h.text(decodeXmlText(s.slice(i, lt)));
      if (lt + 1 >= n) return lt;
      const c = s.charCodeAt(lt + 1);
      if (c === 47 /* / */) {
        const gt = s.indexOf('>', lt + 2);
        if (gt < 0) return lt;
        // White space around the name is trimmed, as before.
        let from = lt + 2;
        let to = gt;
        while (from < to && isTrimSpace(s.charCodeAt(from))) from++;
        while (to > from && isTrimSpace(s.charCodeAt(to - 1))) to--;
        h.close(localNameAt(s, from, to));
        i = gt + 1;
        continue;
      }
      if (c === 33 /* ! */) {
        if (s.startsWith('<!--', lt)) {
          const end = s.indexOf('-->', lt + 4);
          if (end < 0) return lt;
          i = end + 3;
        } else if (s.startsWith('<![CDATA[', lt)) {
          const end = s.indexOf(']]>', lt + 9);
          if (end < 0) return lt;
          if (h.wantText()) h.text(s.slice(lt + 9, end));
          i = end + 3;
        } else {
          if (n - lt < 9) return lt;
          throw new SheetXmlError('DOCTYPE or unknown markup in a sheet');
        }
        continue;
      }
      if (c === 63 /* ? */) {
        const end = s.indexOf('?>', lt + 2);
        if (end < 0) return lt;
        i = end + 2;
        continue;
      }
      // A start tag: its name, then attributes (quoted values may hold '>').
      let j = lt + 1;
      while (j < n) {
        const d = s.charCodeAt(j);
        if (isSpace(d) || d === 62 /* > */ || d === 47 /* / */) break;
        j++;
      }
      if (j >= n) return lt;
      const name = localNameAt(s, lt + 1, j);
      if (name === '') throw new SheetXmlError('empty tag name');
      attributes.r = undefined;
      attributes.s = undefined;
      attributes.t = undefined;
      let selfClosing = false;
      let done = false;
      while (j < n) {
        const d = s.charCodeAt(j);
        if (isSpace(d)) {
          j++;
          continue;
        }
        if (d === 62) {
          done = true;
          j++;
          break;
        }
        if (d === 47) {
          if (j + 1 >= n) return lt;
          if (s.charCodeAt(j + 1) !== 62) throw new SheetXmlError('bad tag end');
          selfClosing = true;
          done = true;
          j += 2;
          break;
        }
        const eq = s.indexOf('=', j);
        if (eq < 0) return lt;
        // The attribute's name, trimmed, as a range (only r, s and t are kept).
        let from = j;
        let to = eq;
        while (from < to && isTrimSpace(s.charCodeAt(from))) from++;
        while (to > from && isTrimSpace(s.charCodeAt(to - 1))) to--;
        for (let k = from; k < to; k++) {
          const a = s.charCodeAt(k);
          if (a === 62 /* > */ || a === 60 /* < */) throw new SheetXmlError('bad attribute');
        }
        const a0 = s.charCodeAt(from);
        const attr =
          to - from !== 1
            ? undefined
            : a0 === 114 /* r */
              ? 'r'
              : a0 === 115 /* s */
                ? 's'
                : a0 === 116 /* t */
                  ? 't'
                  : undefined;
        let q = eq + 1;
        while (q < n && isSpace(s.charCodeAt(q))) q++;
        if (q >= n) return lt;
        const quote = s[q];
        if (quote !== '"' && quote !== "'") throw new SheetXmlError('unquoted attribute');
        const close = s.indexOf(quote, q + 1);
        if (close < 0) return lt;
        if (attr !== undefined) {
          const raw = s.slice(q + 1, close);
          attributes[attr] = raw.includes('&') ? decodeXmlText(raw) : raw;
        }
        j = close + 1;
      }
      if (!done) return lt;
      h.open(name, attributes);
      if (selfClosing) h.close(name);
      i = j;
    }
    return n;
  };

  return {
    write(piece: string): void {
      const s = rest === '' ? piece : rest + piece;
      const at = scan(s);
      rest = at < s.length ? s.slice(at) : '';
      // A cell holds at most 32,767 characters; an unfinished element or text this long is not
      // a sheet (and rescanning it with every piece would take time quadratic in its length).
      if (rest.length > MAX_PENDING) throw new SheetXmlError('element or text too long');
    },
    /** The end of the XML: nothing may be left unfinished but white space. */
    end(): void {
      if (rest.trim() !== '') throw new SheetXmlError('sheet XML ends inside an element');
      rest = '';
    },
  };
};
