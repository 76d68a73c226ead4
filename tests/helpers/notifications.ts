import { EventEmitter } from 'node:events'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { nextEvent } from './wait.js'

/**
 * Records every log notification a client receives (its `data`, as text)
 * and waits for them: a count, or one with a given text. Install it before
 * `connect()`.
 *
 * @example
 * const log = recordNotifications(client)
 * await client.connect(transport)
 * await log.untilReceived('n3')
 */
export function recordNotifications(client: Client) {
  const notifications: string[] = []
  const bus = new EventEmitter()
  client.setNotificationHandler(LoggingMessageNotificationSchema, notification => {
    notifications.push(String(notification.params.data))
    bus.emit('notification')
  })
  const until = (what: string, done: () => boolean, ms: number) =>
    done() ? Promise.resolve() : nextEvent<void>(what, deliver => {
      const listener = () => {
        if (!done()) return
        bus.off('notification', listener)
        deliver()
      }
      bus.on('notification', listener)
    }, ms)
  return {
    notifications,
    untilNotifications: (count: number, ms = 3_000) =>
      until(`${count} notifications (have ${notifications.length}: ${notifications.join(', ')})`, () => notifications.length >= count, ms),
    /** Resolves once the notification with data `text` arrived. */
    untilReceived: (text: string, ms = 3_000) => until(`the notification "${text}"`, () => notifications.includes(text), ms)
  }
}

/** Reads an SSE body until its text contains `needle` (at most `chunks` reads), or until it ends; returns the text. */
export async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, needle: string, chunks = 10): Promise<string> {
  const decoder = new TextDecoder()
  let text = ''
  for (let i = 0; i < chunks && !text.includes(needle); i++) {
    const chunk = await reader.read()
    if (chunk.done) break
    text += decoder.decode(chunk.value, { stream: true })
  }
  return text
}

/** Reads an SSE body to its end; returns the text. */
export async function readToEnd(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder()
  let text = ''
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true })
  return text
}
