import {
  AlignmentType,
  Document,
  Footer,
  Header,
  HeadingLevel,
  Packer,
  PageNumber,
  Paragraph,
  Tab,
  Table,
  TableCell,
  TableRow,
  TabStopType,
  TextRun,
  UnderlineType,
  WidthType,
} from 'docx'
import type { MeetingRecord } from './meeting-record.js'
import { type Block, type DocumentLayout, type LayoutOptions, agendaLayout, minutesLayout } from './minutes-layout.js'

/** The minutes as a Word document with real heading styles, so that screen readers and converters see its structure. */
export const minutesDocx = (record: MeetingRecord, options: LayoutOptions = {}) => layoutDocx(minutesLayout(record, options))

/** The agenda as a Word document. */
export const agendaDocx = (record: MeetingRecord, options: LayoutOptions = {}) => layoutDocx(agendaLayout(record, options))

const FONT = 'Arial'
const CM = 567
/** Half-points: 12pt text, 14pt and 12pt bold headings, as council minutes use. */
const SIZE = { text: 24, heading1: 28, heading2: 24, heading3: 24, marking: 28 }
const HEADINGS = { 1: HeadingLevel.HEADING_1, 2: HeadingLevel.HEADING_2, 3: HeadingLevel.HEADING_3 } as const

/** Lines of a paragraph kept as line breaks. */
function runs(text: string, style: { bold?: boolean; italics?: boolean } = {}): TextRun[] {
  return text.split('\n').map((line, index) => new TextRun({ text: line, break: index > 0 ? 1 : 0, ...style }))
}

/** A label followed by a line to write on: an underlined tab, which Word draws as a rule. */
const lineToSignOn = (label: string) =>
  new Paragraph({
    spacing: { before: 360 },
    tabStops: [{ type: TabStopType.LEFT, position: 9 * CM }],
    children: [new TextRun({ text: `${label} ` }), new TextRun({ children: [new Tab()], underline: { type: UnderlineType.SINGLE } })],
  })

function blockContent(block: Block): (Paragraph | Table)[] {
  switch (block.type) {
    case 'heading':
      return [new Paragraph({ heading: HEADINGS[block.level], children: [new TextRun(block.caps ? block.text.toUpperCase() : block.text)] })]
    case 'paragraph':
      return [new Paragraph({ children: runs(block.text, { bold: block.emphasis === 'bold', italics: block.emphasis === 'italic' }) })]
    case 'marking':
      return [new Paragraph({ children: [new TextRun({ text: block.text, bold: true, size: SIZE.marking })] })]
    case 'field':
      return [new Paragraph({ spacing: { after: 0 }, children: [new TextRun({ text: `${block.label}: `, bold: true }), new TextRun(block.value)] })]
    case 'people':
      return block.people.map((line, index) => new Paragraph({ spacing: { after: index === block.people.length - 1 ? 120 : 0 }, children: runs(line) }))
    case 'resolutions': {
      const [only] = block.items
      if (block.items.length === 1 && only && only.label === null) {
        return [new Paragraph({ children: [new TextRun({ text: `${block.intro} `, bold: true }), ...runs(only.text)] })]
      }
      return [
        new Paragraph({ keepNext: true, spacing: { after: 60 }, children: [new TextRun({ text: block.intro, bold: true })] }),
        ...block.items.map(
          (resolution) =>
            new Paragraph({
              indent: { left: 2 * CM, hanging: CM },
              tabStops: [{ type: TabStopType.LEFT, position: 2 * CM }],
              spacing: { after: 60 },
              children: [new TextRun({ text: resolution.label ?? '' }), new TextRun({ children: [new Tab()] }), ...runs(resolution.text)],
            }),
        ),
      ]
    }
    case 'action':
      return [new Paragraph({ children: runs(block.text, { bold: true }) })]
    case 'table':
      return [
        new Table({
          width: { size: 100, type: WidthType.PERCENTAGE },
          rows: [
            new TableRow({
              tableHeader: true,
              cantSplit: true,
              children: block.head.map((text, index) => cell([new Paragraph({ children: [new TextRun({ text, bold: true })] })], block.widths[index])),
            }),
            ...block.rows.map(
              (row) =>
                new TableRow({
                  cantSplit: true,
                  children: row.map((text, index) => cell(text.split('\n').map((line) => new Paragraph({ spacing: { after: 0 }, children: [new TextRun(line)] })), block.widths[index])),
                }),
            ),
          ],
        }),
      ]
    case 'signature':
      return [
        new Paragraph({ spacing: { before: 480 }, keepNext: true, children: [new TextRun({ text: block.role.toUpperCase(), bold: true })] }),
        lineToSignOn('Signed:'),
        lineToSignOn('Date:'),
        new Paragraph({ children: [] }),
      ]
  }
}

const cell = (children: Paragraph[], widthPercent = 25) =>
  new TableCell({ width: { size: widthPercent, type: WidthType.PERCENTAGE }, margins: { top: 60, bottom: 60, left: 100, right: 100 }, children })

async function layoutDocx(layout: DocumentLayout): Promise<Buffer> {
  const heading = (size: number) => ({ run: { font: FONT, size, bold: true, color: '000000' }, paragraph: { spacing: { before: 240, after: 120 }, keepNext: true } })
  const document = new Document({
    creator: 'Safer Communities',
    title: layout.title,
    styles: {
      default: {
        document: { run: { font: FONT, size: SIZE.text, language: { value: 'en-GB' } }, paragraph: { spacing: { after: 120 } } },
        heading1: heading(SIZE.heading1),
        heading2: heading(SIZE.heading2),
        heading3: heading(SIZE.heading3),
      },
    },
    sections: [
      {
        properties: { page: { size: { width: 11906, height: 16838 }, margin: { top: 2 * CM, right: 2 * CM, bottom: 2 * CM, left: 2 * CM } } },
        headers: layout.markings.length
          ? { default: new Header({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: layout.markings.join(' – '), bold: true })] })] }) }
          : undefined,
        footers: {
          default: new Footer({
            children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ size: 20, children: ['Page ', PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES] })] })],
          }),
        },
        children: layout.blocks.flatMap(blockContent),
      },
    ],
  })
  return Packer.toBuffer(document)
}
