import { initAll } from '/javascripts/govuk-frontend.min.js'

initAll()

// An import's progress page: fetch it again every two seconds and swap the progress in place, announcing each new
// file and the end to screen readers (politely), rather than reloading the whole page.
const importJob = document.querySelector('[data-import-job="running"]')
if (importJob) {
  const announcement = document.getElementById('import-job-announcement')
  let announced = ''
  let failures = 0
  // A failed fetch (a network blip, a restart) is tried again; after five in a row the page is loaded afresh, so that
  // whatever is wrong (signed out, say) shows itself rather than the progress standing still.
  const next = () => setTimeout(() => void poll().catch(failed), 2000)
  const failed = () => (++failures >= 5 ? window.location.reload() : next())
  const poll = async () => {
    const response = await fetch(window.location.href, { headers: { accept: 'text/html' } })
    const fresh = response.ok ? new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('import-job') : null
    if (!fresh) return failed()
    failures = 0
    importJob.innerHTML = fresh.innerHTML
    const done = fresh.dataset.importJob === 'done'
    const headline = (done ? fresh.querySelector('.govuk-notification-banner__heading') : fresh.querySelector('.govuk-body-l'))?.textContent?.replace(/ — \d+%$/, '').trim() ?? ''
    if (announcement && headline && headline !== announced) announcement.textContent = announced = headline
    if (done) importJob.dataset.importJob = 'done'
    else next()
  }
  next()
}
