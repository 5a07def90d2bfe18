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
    // Done, or interrupted by a restart of the service (its page then offers to try again).
    const state = fresh.dataset.importJob
    const heading = { done: '.govuk-notification-banner__heading', interrupted: 'h1' }[state] ?? '.govuk-body-l'
    const headline = fresh.querySelector(heading)?.textContent?.replace(/ — \d+%$/, '').trim() ?? ''
    if (announcement && headline && headline !== announced) announcement.textContent = announced = headline
    if (state !== 'running') importJob.dataset.importJob = state
    else next()
  }
  next()
}
