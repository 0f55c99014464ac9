import { IMPORT_SPECS, type TImportKind } from '@shegong/shared';
import ExcelJS from 'exceljs';

// Present at run time (ExcelJS 4.4), missing from its typings: one rule for a whole range.
type TValidations = {
  dataValidations: { add: (range: string, rule: ExcelJS.DataValidation) => void };
};

/** Rows the data-validation lists cover below the header. */
const VALIDATED_ROWS = 5000;

const HEADER_FILL: ExcelJS.Fill = {
  type: 'pattern',
  pattern: 'solid',
  fgColor: { argb: 'FFDDEBF7' },
};

/**
 * The template of a kind: one sheet with the Chinese headers (required ones marked red), the
 * example row (recognised and skipped if left in), drop-down lists for every vocabulary, text
 * format for 身份证号, phone and codes (so Excel keeps all 18 digits) and date format for dates.
 */
export const buildTemplate = async (kind: TImportKind): Promise<Buffer> => {
  const spec = IMPORT_SPECS[kind];
  const wb = new ExcelJS.Workbook();
  wb.creator = 'shegong';
  const ws = wb.addWorksheet(spec.label, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = spec.columns.map((c) => ({
    header: c.header,
    key: c.field,
    width: Math.max(12, c.header.length * 2.4 + 4, String(c.example).length * 1.3 + 2),
    style:
      c.type === 'id-number' || c.type === 'phone' || c.type === 'code'
        ? { numFmt: '@' }
        : c.type === 'date'
          ? { numFmt: 'yyyy-mm-dd' }
          : {},
  }));
  const header = ws.getRow(1);
  spec.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.font = { bold: true, color: { argb: c.required ? 'FFC00000' : 'FF000000' } };
    cell.fill = HEADER_FILL;
    cell.alignment = { vertical: 'middle', horizontal: 'center' };
    const notes = [
      c.required ? '必填' : '选填',
      c.values ? `可选：${c.values.join('、')}` : undefined,
      c.note,
      c.synonyms.length > 0 ? `也可写作：${c.synonyms.join('、')}` : undefined,
    ].filter(Boolean);
    cell.note = notes.join('\n');
  });
  ws.addRow(
    Object.fromEntries(
      spec.columns.map((c) => [
        c.field,
        c.type === 'date' && c.example !== ''
          ? new Date(`${String(c.example)}T00:00:00Z`)
          : c.example === ''
            ? null
            : c.type === 'int' || c.type === 'number' || c.type === 'year'
              ? Number(c.example)
              : String(c.example),
      ]),
    ),
  );
  ws.getRow(2).font = { italic: true, color: { argb: 'FF808080' } };
  spec.columns.forEach((c, i) => {
    if (!c.values) return;
    const letter = ws.getColumn(i + 1).letter;
    // An inline list (no helper sheet): the vocabularies are short.
    (ws as unknown as TValidations).dataValidations.add(
      `${letter}2:${letter}${VALIDATED_ROWS + 1}`,
      {
        type: 'list',
        allowBlank: !c.required,
        formulae: [`"${c.values.join(',')}"`],
        showErrorMessage: true,
        errorStyle: 'warning',
        errorTitle: c.header,
        error: `请从列表中选择：${c.values.join('、')}`,
      },
    );
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
};
