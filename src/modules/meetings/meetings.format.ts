/** Dates and times as agendas print them. */

const weekday = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: 'UTC' })
const dayMonthYear = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })

/** "4 December 2026", from YYYY-MM-DD. */
export function meetingDate(iso: string): string {
  return dayMonthYear.format(new Date(`${iso}T00:00:00Z`))
}

/** "Thursday 4 December 2026", from YYYY-MM-DD: the title block of an agenda. */
export function meetingDay(iso: string): string {
  const date = new Date(`${iso}T00:00:00Z`)
  return `${weekday.format(date)} ${dayMonthYear.format(date)}`
}

/** "Agenda Item 6": how a paper is labelled, from its item's number. */
export function paperLabel(itemNumber: number): string {
  return `Agenda Item ${itemNumber}`
}
