import PDFDocument from 'pdfkit'

/**
 * A tagged (accessible) PDF being drawn: the document, its structure root, the page's text area, and the finished
 * bytes once `doc.end()` is called. The minutes and the performance report are drawn on it.
 */
export function taggedPdf(options: PDFKit.PDFDocumentOptions) {
  const doc = new PDFDocument({ pdfVersion: '1.7', tagged: true, lang: 'en-GB', displayTitle: true, ...options })
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
  return { doc, done, root, left, width, bottom, ensureRoom }
}
