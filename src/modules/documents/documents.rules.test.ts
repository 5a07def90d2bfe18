import PDFDocument from 'pdfkit'
import { describe, expect, it } from 'vitest'
import { toXlsx } from '../cases/case-exports.js'
import { samples } from './documents.fixtures.js'
import { contentDisposition, detectDocumentType, downloadName, humanSize, isText, safeFileName } from './documents.rules.js'

async function realPdf(): Promise<Buffer> {
  const doc = new PDFDocument()
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))))
  doc.text('Witness statement')
  doc.end()
  return done
}

describe('detecting what a file is', () => {
  it('recognises real PDF and XLSX files, as the service itself writes them, whatever they are called', async () => {
    expect(await detectDocumentType(await realPdf(), 'statement')).toEqual({ mimeType: 'application/pdf', extension: 'pdf' })
    expect(await detectDocumentType(await toXlsx([]), 'log.pdf')).toEqual({ mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx' })
  })

  it('refuses programs, archives and other types by content, even under an accepted name', async () => {
    expect(await detectDocumentType(samples.elf(), 'statement.pdf')).toBeUndefined()
    expect(await detectDocumentType(samples.zip(), 'letter.docx')).toBeUndefined()
    expect(await detectDocumentType(Buffer.from('GIF89a\u0001\u0000\u0001\u0000'), 'photo.png')).toBeUndefined()
  })

  it('accepts text only by a text extension and only when it is UTF-8 without NUL bytes', async () => {
    expect(await detectDocumentType(samples.text(), 'diary.TXT')).toEqual({ mimeType: 'text/plain', extension: 'txt' })
    expect(await detectDocumentType(Buffer.from('From: a@example.org\r\nSubject: Noise\r\n\r\nHello'), 'complaint.eml')).toEqual({ mimeType: 'message/rfc822', extension: 'eml' })
    expect(await detectDocumentType(samples.text(), 'diary')).toBeUndefined()
    expect(await detectDocumentType(samples.text(), 'diary.html')).toBeUndefined()
    expect(isText(Buffer.from('Café – 12 o’clock'))).toBe(true)
    expect(isText(Buffer.from('a\u0000b'))).toBe(false)
    expect(isText(Buffer.from([0xff, 0xfe, 0x41]))).toBe(false)
  })
})

describe('file names', () => {
  it('keeps the name an officer gave, without folders, control or direction characters, or characters Windows refuses', () => {
    expect(safeFileName('C:\\Users\\officer\\Desktop\\statement.pdf')).toBe('statement.pdf')
    expect(safeFileName('../../etc/passwd')).toBe('passwd')
    expect(safeFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe')
    expect(safeFileName('line\r\nbreak\t"quoted"?.txt')).toBe('line break quoted.txt')
    expect(safeFileName('...hidden')).toBe('hidden')
    expect(safeFileName('  ')).toBe('document')
    expect(safeFileName('Déclaration de témoin.pdf')).toBe('Déclaration de témoin.pdf')
    const long = safeFileName(`${'a'.repeat(300)}.docx`)
    expect(long).toHaveLength(150)
    expect(long.endsWith('a.docx')).toBe(true)
  })

  it('adds the detected extension when the name claimed another type', () => {
    expect(downloadName('photo.pdf', 'image/png')).toBe('photo.pdf.png')
    expect(downloadName('photo.JPEG', 'image/jpeg')).toBe('photo.JPEG')
    expect(downloadName('statement', 'application/pdf')).toBe('statement.pdf')
    expect(downloadName('calls.csv', 'text/csv')).toBe('calls.csv')
  })

  it('writes an attachment header with an ASCII fallback and the UTF-8 name in RFC 5987 form', () => {
    expect(contentDisposition('statement.pdf')).toBe(`attachment; filename="statement.pdf"; filename*=UTF-8''statement.pdf`)
    expect(contentDisposition('Témoin (2) 100%.pdf')).toBe(`attachment; filename="T_moin (2) 100_.pdf"; filename*=UTF-8''T%C3%A9moin%20%282%29%20100%25.pdf`)
  })
})

describe('sizes', () => {
  it('writes sizes as GOV.UK does', () => {
    expect(humanSize(1)).toBe('1 byte')
    expect(humanSize(900)).toBe('900 bytes')
    expect(humanSize(45 * 1024)).toBe('45KB')
    expect(humanSize(2.44 * 1024 * 1024)).toBe('2.4MB')
    expect(humanSize(1024 * 1024)).toBe('1MB')
    expect(humanSize(10 * 1024 * 1024)).toBe('10MB')
  })
})
