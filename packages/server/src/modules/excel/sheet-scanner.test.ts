import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { MAX_PENDING, SheetXmlError, sheetScanner } from './sheet-scanner.ts';

/** The events of a scan, fed in pieces of `size` characters (0: all at once). */
const eventsOf = (xml: string, size = 0) => {
  const events: string[] = [];
  let depth = 0;
  const scanner = sheetScanner({
    wantText: () => depth > 0,
    text: (t) => events.push(`text ${JSON.stringify(t)}`),
    open: (name, a) => {
      depth++;
      events.push(`open ${name} r=${a.r ?? ''} s=${a.s ?? ''} t=${a.t ?? ''}`);
    },
    close: (name) => {
      depth--;
      events.push(`close ${name}`);
    },
  });
  if (size === 0) scanner.write(xml);
  else for (let i = 0; i < xml.length; i += size) scanner.write(xml.slice(i, i + size));
  scanner.end();
  // Text may come in several calls when cut: join neighbours.
  return events.reduce<string[]>((out, e) => {
    const last = out.at(-1);
    if (last?.startsWith('text ') && e.startsWith('text ')) {
      out[out.length - 1] =
        `text ${JSON.stringify(JSON.parse(last.slice(5)) + JSON.parse(e.slice(5)))}`;
    } else out.push(e);
    return out;
  }, []);
};

const XML =
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<!-- a comment with <c> in it -->` +
  `<x:worksheet xmlns:x="urn:x"><x:sheetData><x:row r="2" spans='1:3' x14ac:dyDescent="0.25">` +
  `<x:c r="A2" s="3" t="inlineStr"><x:is><x:t xml:space="preserve">a &amp; b &lt;c&gt; &#x4E2D;&#25991;\r\n行</x:t></x:is></x:c>` +
  `<x:c r='B2' t="s" note="1 > 0"><x:v>12</x:v></x:c><x:c r="C2"/><x:c r="D2"><x:f>A1&amp;"x"</x:f><x:v><![CDATA[<42>]]></x:v></x:c>` +
  `<?pi ignored?></x:row></x:sheetData></x:worksheet>`;

describe('the sheet XML scanner', () => {
  it('reads tags, the three attributes, entities, references, CDATA and line ends, in pieces of any size', () => {
    const expected = [
      'open worksheet r= s= t=',
      'open sheetData r= s= t=',
      'open row r=2 s= t=',
      'open c r=A2 s=3 t=inlineStr',
      'open is r= s= t=',
      'open t r= s= t=',
      'text "a & b <c> 中文\\n行"',
      'close t',
      'close is',
      'close c',
      'open c r=B2 s= t=s',
      'open v r= s= t=',
      'text "12"',
      'close v',
      'close c',
      'open c r=C2 s= t=',
      'close c',
      'open c r=D2 s= t=',
      'open f r= s= t=',
      'text "A1&\\"x\\""',
      'close f',
      'open v r= s= t=',
      'text "<42>"',
      'close v',
      'close c',
      'close row',
      'close sheetData',
      'close worksheet',
    ];
    expect(eventsOf(XML)).toEqual(expected);
    for (let size = 1; size <= 17; size++)
      expect(eventsOf(XML, size), `pieces of ${size}`).toEqual(expected);
  });

  it('trims names as String.prototype.trim does (white space beyond XML’s, as before)', () => {
    const xml =
      '<sheetData><row r="1"><c \u3000r\u000b="A1" \u00a0t ="s"><v>3</v\u2028></c\ufeff></row></sheetData>';
    expect(eventsOf(xml)).toEqual([
      'open sheetData r= s= t=',
      'open row r=1 s= t=',
      'open c r=A1 s= t=s',
      'open v r= s= t=',
      'text "3"',
      'close v',
      'close c',
      'close row',
      'close sheetData',
    ]);
  });

  it('refuses what it cannot read, as a parser would', () => {
    for (const bad of [
      '<sheetData><c><v>a &nbsp; b</v></c></sheetData>',
      '<sheetData><c><v>a & b</v></c></sheetData>',
      '<!DOCTYPE x [<!ENTITY e "y">]><sheetData/>',
      '<sheetData><c r=A1/></sheetData>',
      '<sheetData><c r="A1"',
      '<sheetData><c><v>1</v></c></sheetData><!-- cut',
    ]) {
      expect(() => eventsOf(bad), bad).toThrow(SheetXmlError);
    }
  });
});

// The scanner against saxes (the XML parser it replaced for sheets) on generated sheet XML:
// names with and without a prefix, the r/s/t attributes among others (quoted either way, with
// entities and '>' inside), text with entities, character references, CJK, line ends, CDATA,
// comments and processing instructions — the same elements, attributes and text, in pieces of
// any size.
describe('the sheet XML scanner against saxes', () => {
  const escapeXml = (t: string) =>
    t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const textArb = fc
    .array(
      fc.oneof(
        fc.constantFrom('a', ' ', '社区', '&', '<', '>', '"', "'", '\r\n', '\n', '\t', '1.5', 'x'),
        fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCodePoint(c)),
      ),
      { maxLength: 6 },
    )
    .map((parts) => parts.join(''));
  type TNode = {
    name: string;
    attrs: [string, string, string, string][];
    kids: (TNode | string)[];
    /** White space before the end of the close tag. */
    closeSpace: string;
  };
  // The names the scanner gives as constants, prefixed or not, and names close to them.
  const nameArb = fc.constantFrom(
    ...['row', 'c', 'v', 'is', 't', 'f', 'x:c', 'x:v', 'rPh', 'ext', 'x:row', 'x:is', 'x:rPh'],
    ...['x:t', 'rows', 'roww', 'ro', 'i', 'in', 'cc', 'iss', 'rph', 'rPx', 'V'],
  );
  const attrArb = fc.tuple(
    fc.constantFrom('r', 's', 't', 'spans', 'x14ac:dyDescent', 'note', 'x:r', 'rs', 'T', 'u'),
    fc.stringMatching(/^[A-Za-z0-9 &<>:.]{0,6}$/),
    fc.constantFrom('"', "'"),
    // White space around `=`.
    fc.constantFrom('', ' ', '\n\t'),
  );
  const nodeArb: fc.Arbitrary<TNode> = fc.letrec<{ node: TNode }>((tie) => ({
    node: fc.record({
      name: nameArb,
      attrs: fc.uniqueArray(attrArb, { selector: (a) => a[0], maxLength: 3 }),
      kids: fc.array(fc.oneof({ depthSize: 'small' }, textArb, tie('node')), { maxLength: 4 }),
      closeSpace: fc.constantFrom('', '', ' ', '\n'),
    }),
  })).node;
  const other = fc.constantFrom('<!-- 注释 <c> -->', '<?pi x?>', '<![CDATA[<v>&amp;]]>', '');
  const serialise = (n: TNode, extra: string): string => {
    const attrs = n.attrs
      .map(
        ([k, v, q, sp]) =>
          ` ${k}${sp}=${sp}${q}${escapeXml(v).replace(q === '"' ? /"/g : /'/g, q === '"' ? '&quot;' : '&apos;')}${q}`,
      )
      .join('');
    const kids = n.kids.map((k) => (typeof k === 'string' ? escapeXml(k) : serialise(k, extra)));
    return kids.length === 0
      ? `<${n.name}${attrs}/>`
      : `<${n.name}${attrs}>${extra}${kids.join('')}</${n.name}${n.closeSpace}>`;
  };

  const merged = (events: string[]) =>
    events.reduce<string[]>((out, e) => {
      const last = out.at(-1);
      if (last?.startsWith('text ') && e.startsWith('text '))
        out[out.length - 1] =
          `text ${JSON.stringify(JSON.parse(last.slice(5)) + JSON.parse(e.slice(5)))}`;
      else out.push(e);
      return out;
    }, []);
  const local = (name: string) => name.slice(name.indexOf(':') + 1);
  const withSaxes = (xml: string) => {
    const events: string[] = [];
    const p = new SaxesParser({ xmlns: false });
    p.on('opentag', (tag) => {
      const a = tag.attributes as Record<string, string>;
      events.push(`open ${local(tag.name)} r=${a.r ?? ''} s=${a.s ?? ''} t=${a.t ?? ''}`);
    });
    p.on('closetag', (tag) => events.push(`close ${local(tag.name)}`));
    p.on('text', (t) => events.push(`text ${JSON.stringify(t)}`));
    p.on('cdata', (t) => events.push(`text ${JSON.stringify(t)}`));
    p.write(xml).close();
    return merged(events);
  };

  it('gives the events saxes gives, in pieces of any size', () => {
    fc.assert(
      fc.property(nodeArb, other, fc.integer({ min: 1, max: 40 }), (node, extra, size) => {
        const xml = `<?xml version="1.0"?><worksheet xmlns:x="urn:x" xmlns:x14ac="urn:y"><sheetData>${serialise(node, extra)}</sheetData></worksheet>`;
        const expected = withSaxes(xml);
        expect(eventsOf(xml)).toEqual(expected);
        expect(eventsOf(xml, size)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses an unfinished element or text longer than it keeps', () => {
    expect(() => eventsOf(`<sheetData><c><v>${'1'.repeat(MAX_PENDING + 10)}`, 65_536)).toThrow(
      SheetXmlError,
    );
  });
});
