import { BOLD, MARGIN, REGULAR, TEXT_SIZE, taggedPdf } from '../../platform/documents/pdf.js'
import type { MeetingRecord } from './meeting-record.js'
import { type Block, type DocumentLayout, type LayoutOptions, agendaLayout, minutesLayout } from './minutes-layout.js'

/** The minutes as a tagged A4 PDF: headings, lists and the actions table are in its structure for screen readers. */
export const minutesPdf = (record: MeetingRecord, options: LayoutOptions = {}) => layoutPdf(minutesLayout(record, options))

/** The agenda as a tagged A4 PDF. */
export const agendaPdf = (record: MeetingRecord, options: LayoutOptions = {}) => layoutPdf(agendaLayout(record, options))

const ITALIC = 'Helvetica-Oblique'
const HEADING_SIZE = { 1: 14, 2: 12, 3: 11.5 } as const
/** Below this much room left on a page a heading starts the next page, so that it is never cut from what follows it. */
const KEEP_WITH_NEXT = 70
const RESOLUTION_INDENT = 28
const LABEL_WIDTH = 30

// pdfkit reads these table options; its type definitions lack them.
type TableStructure = { structParent?: PDFKit.PDFStructureElement }
type HeaderCell = PDFKit.Mixins.CellOptions & { scope?: 'Column' }

function layoutPdf(layout: DocumentLayout): Promise<Buffer> {
  const { doc, root, left, width, ensureRoom, tagged, text, rule, finish } = taggedPdf({
    size: 'A4',
    margin: MARGIN,
    info: { Title: layout.title, Author: 'Safer Communities' },
  })
  const paragraphGap = () => doc.moveDown(0.5)

  const draw = (block: Block) => {
    switch (block.type) {
      case 'heading':
        doc.moveDown(0.6)
        ensureRoom(KEEP_WITH_NEXT)
        tagged(`H${block.level}`, () => text(block.caps ? block.text.toUpperCase() : block.text, BOLD, HEADING_SIZE[block.level]))
        doc.moveDown(0.4)
        return
      case 'paragraph':
        tagged('P', () => text(block.text, block.emphasis === 'bold' ? BOLD : block.emphasis === 'italic' ? ITALIC : REGULAR))
        return paragraphGap()
      case 'marking':
        tagged('P', () => text(block.text, BOLD, 13))
        return paragraphGap()
      case 'field':
        tagged('P', () => {
          doc.font(BOLD).fontSize(TEXT_SIZE).text(`${block.label}: `, left, doc.y, { width, continued: true }).font(REGULAR).text(block.value)
        })
        return
      case 'people': {
        const list = doc.struct('L')
        root.add(list)
        for (const line of block.people) list.add(doc.struct('LI', {}, [doc.struct('LBody', {}, () => text(line))]))
        list.end()
        return paragraphGap()
      }
      case 'resolutions': {
        const [only] = block.items
        if (block.items.length === 1 && only && only.label === null) {
          tagged('P', () => {
            doc.font(BOLD).fontSize(TEXT_SIZE).text(`${block.intro} `, left, doc.y, { width, continued: true }).font(REGULAR).text(only.text)
          })
          return paragraphGap()
        }
        ensureRoom(40)
        tagged('P', () => text(block.intro, BOLD))
        doc.moveDown(0.2)
        const list = doc.struct('L')
        root.add(list)
        for (const resolution of block.items) {
          ensureRoom(doc.currentLineHeight(true) * 2)
          const y = doc.y
          list.add(
            doc.struct('LI', {}, [
              doc.struct('Lbl', {}, () => doc.font(REGULAR).fontSize(TEXT_SIZE).text(resolution.label ?? '', left + RESOLUTION_INDENT, y, { width: LABEL_WIDTH })),
              doc.struct('LBody', {}, () => {
                const bodyX = left + RESOLUTION_INDENT + LABEL_WIDTH
                doc.text(resolution.text, bodyX, y, { width: width - RESOLUTION_INDENT - LABEL_WIDTH })
              }),
            ]),
          )
          doc.moveDown(0.2)
        }
        list.end()
        return paragraphGap()
      }
      case 'action':
        tagged('P', () => text(block.text, BOLD))
        return paragraphGap()
      case 'table': {
        ensureRoom(60)
        const header: HeaderCell[] = block.head.map((value) => ({ text: value, type: 'TH', scope: 'Column', font: { src: BOLD } }))
        const options: PDFKit.Mixins.TableOptionsWithData & TableStructure = {
          structParent: root,
          position: { x: left, y: doc.y },
          columnStyles: block.widths.map((percent) => (width * percent) / 100),
          defaultStyle: { border: 0.5, borderColor: '#000000', padding: 4 },
          rowStyles: (row: number) => (row === 0 ? { backgroundColor: '#e8e8e8' } : undefined),
          data: [header, ...block.rows],
        }
        doc.font(REGULAR).fontSize(10).table(options)
        doc.x = left
        return paragraphGap()
      }
      case 'signature': {
        doc.moveDown(1.5)
        ensureRoom(110)
        tagged('P', () => text(block.role.toUpperCase(), BOLD))
        for (const label of ['Signed:', 'Date:']) {
          doc.moveDown(1.5)
          const y = doc.y
          tagged('P', () => text(label))
          rule(left + 50, y + TEXT_SIZE, 200)
        }
        return paragraphGap()
      }
    }
  }

  for (const block of layout.blocks) draw(block)
  return finish(layout.markings.length ? layout.markings.join(' – ') : undefined)
}
