import { describe, expect, it } from 'vitest';
import { SheetXmlError, sheetScanner } from './sheet-scanner.ts';

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
