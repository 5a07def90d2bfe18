import PDFDocument from 'pdfkit'

/** The councils' papers: Helvetica, body text at 11 point, 2 cm margins. */
export const REGULAR = 'Helvetica'
export const BOLD = 'Helvetica-Bold'
export const TEXT_SIZE = 11
export const MARGIN = 57

/**
 * A tagged (accessible) PDF being drawn: the document, its structure root, the page's text area, and the finished
 * bytes once `doc.end()` is called. The minutes and the performance report are drawn on it.
 */
export function taggedPdf(options: PDFKit.PDFDocumentOptions) {
  // Pages stay buffered so that finish() can number them once the last is drawn.
  const doc = new PDFDocument({ pdfVersion: '1.7', tagged: true, lang: 'en-GB', displayTitle: true, ...options, bufferPages: true })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  const root = doc.struct('Document')
  doc.addStructure(root)
  const left = doc.page.margins.left
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right
  const bottom = () => doc.page.height - doc.page.margins.bottom
  /** A new page unless this much room is left on the current one. */
  const ensureRoom = (height: number) => {
    if (doc.y + height > bottom()) doc.addPage()
  }
  /** Draws inside a structure element of the given type, so that it is tagged as such. */
  const tagged = (type: string, draw: () => void, parent: PDFKit.PDFStructureElement = root) => {
    parent.add(doc.struct(type, {}, draw))
  }
  /** Text across the text area, from the current line. */
  const text = (value: string, font = REGULAR, size = TEXT_SIZE, options: PDFKit.Mixins.TextOptions = {}) => {
    doc.font(font).fontSize(size).text(value, left, doc.y, { width, ...options })
  }
  /** A horizontal line, drawn as decoration rather than content. */
  const rule = (fromX: number, y: number, length: number, colour = '#000000', lineWidth = 0.5) => {
    doc.markContent('Artifact', { type: 'Layout' })
    doc.moveTo(fromX, y).lineTo(fromX + length, y).lineWidth(lineWidth).stroke(colour)
    doc.endMarkedContent()
  }
  /**
   * Ends the document: "Page N of M" at the foot of every page, and a marking such as OFFICIAL at the head when
   * given, both as page furniture that screen readers skip. Resolves to the finished bytes.
   */
  const finish = (marking?: string) => {
    root.end()
    const range = doc.bufferedPageRange()
    for (let index = range.start; index < range.start + range.count; index++) {
      doc.switchToPage(index)
      const savedBottom = doc.page.margins.bottom
      doc.page.margins.bottom = 0
      doc.markContent('Artifact', { type: 'Pagination' })
      if (marking) doc.font('Helvetica-Bold').fontSize(10).text(marking, left, 28, { width, align: 'center' })
      doc.font('Helvetica').fontSize(9).text(`Page ${index + 1} of ${range.count}`, left, doc.page.height - 36, { width, align: 'center' })
      doc.endMarkedContent()
      doc.page.margins.bottom = savedBottom
    }
    doc.end()
    return done
  }
  return { doc, root, left, width, bottom, ensureRoom, tagged, text, rule, finish }
}
