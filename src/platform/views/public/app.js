import { initAll } from '/javascripts/govuk-frontend.min.js'

initAll()

// An import's progress page: fetch it again every two seconds and swap the progress in place, announcing each new
// file and the end to screen readers (politely), rather than reloading the whole page.
const importJob = document.querySelector('[data-import-job="running"]')
if (importJob) {
  const announcement = document.getElementById('import-job-announcement')
  let announced = ''
  const poll = async () => {
    const response = await fetch(window.location.href, { headers: { accept: 'text/html' } })
    if (!response.ok) return
    const page = new DOMParser().parseFromString(await response.text(), 'text/html')
    const fresh = page.getElementById('import-job')
    if (!fresh) return
    importJob.innerHTML = fresh.innerHTML
    const done = fresh.dataset.importJob === 'done'
    const headline = (done ? fresh.querySelector('.govuk-notification-banner__heading') : fresh.querySelector('.govuk-body-l'))?.textContent?.replace(/ — \d+%$/, '').trim() ?? ''
    if (announcement && headline && headline !== announced) announcement.textContent = announced = headline
    if (done) importJob.dataset.importJob = 'done'
    else setTimeout(() => void poll().catch(() => undefined), 2000)
  }
  setTimeout(() => void poll().catch(() => undefined), 2000)
}
