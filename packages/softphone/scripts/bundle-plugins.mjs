// Rollup plugins of the one-file <highrise-softphone> bundle that its budget (bench/bundle-size.mjs)
// must see too: the bench builds the widget with exactly these, so it measures what ships.

import { fileURLToPath } from 'node:url';

/**
 * sip.js modules the widget can never reach, replaced by stubs that throw if reached after all.
 * sip.js's UserAgentCore imports its SUBSCRIBE client statically for `UserAgentCore.subscribe()`,
 * which only sip.js's `Subscriber` calls; the widget has no Subscriber (no presence, no BLF), so
 * the client and the subscription dialog behind it (about 1.8 KiB gz) were dead weight. Incoming
 * SUBSCRIBE and NOTIFY are handled by other modules, which stay.
 */
const UNREACHABLE_SIP_MODULES = {
  '/sip.js/lib/core/user-agents/subscribe-user-agent-client.js':
    'export class SubscribeUserAgentClient { constructor() { throw new Error("highrise-softphone: SUBSCRIBE is not supported"); } }',
};

/**
 * sip.js modules the widget reaches, replaced by smaller equivalents of ours (built by tsc into
 * build/, unit-tested against the original). sip.js's md5.js is an incremental MD5 with 64
 * unrolled steps, of which digest authentication calls `Md5.hashStr` alone; src/phone/md5.ts
 * computes the same digest in a loop (about 1.8 KiB gz less).
 */
const REPLACED_SIP_MODULES = {
  '/sip.js/lib/core/messages/md5.js': `export { Md5 } from ${JSON.stringify(fileURLToPath(new URL('../build/phone/md5.js', import.meta.url)))};`,
};

export function pruneUnreachableSipJs() {
  return {
    name: 'prune-unreachable-sip-js',
    load(id) {
      const path = id.replaceAll('\\', '/');
      for (const [suffix, stub] of Object.entries({ ...UNREACHABLE_SIP_MODULES, ...REPLACED_SIP_MODULES })) if (path.endsWith(suffix)) return stub;
      return null;
    },
  };
}

/**
 * Minifies the widget's stylesheet (the css`` literal of softphone.styles), which terser leaves as
 * written: whitespace around punctuation and runs of whitespace go. Safe for these styles, which
 * hold no strings or selectors where whitespace is significant beyond single spaces.
 */
export function minifyWidgetCss() {
  return {
    name: 'minify-widget-css',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').endsWith('/softphone/build/ui/softphone.styles.js')) return null;
      const minified = code.replace(/css\s*`([^`]*)`/, (_, text) => `css\`${text.replace(/\s+/g, ' ').replace(/\s*([{};,>])\s*/g, '$1').replace(/:\s+/g, ':').replace(/;}/g, '}').trim()}\``);
      return { code: minified, map: null };
    },
  };
}
