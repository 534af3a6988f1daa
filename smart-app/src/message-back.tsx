import type { MessageBack } from '../../src/message-back/document.js';
import { renderMessageBackXhtml } from '../../src/message-back/render.js';
import './message-back.css';

/**
 * Messages from the link-worker service about one referral, newest first, in full: the same rendering the
 * reconciler writes as the record's narrative and the GP system page shows (src/message-back/render.ts). That
 * renderer escapes every piece of text and emits only headings, paragraphs and lists, so its markup is safe here.
 */
export function MessageBackList({ messages }: { messages: readonly MessageBack[] }) {
  if (messages.length === 0) return null;
  return (
    <section class="sp-messages" aria-label="Messages from the link-worker service" data-testid="messages">
      {messages.map((m, i) => (
        <div key={i} class="sp-message" data-testid="message-back" dangerouslySetInnerHTML={{ __html: renderMessageBackXhtml(m, { headingLevel: 5 }) }} />
      ))}
    </section>
  );
}
