import { HighriseSoftphone, type HighriseSoftphoneEventMap } from './softphone.component';

export { HighriseSoftphone };

// A page may load the one-file bundle next to an app that bundles us too: define the tag once.
customElements.get('highrise-softphone') || customElements.define('highrise-softphone', HighriseSoftphone);

declare global {
  interface HTMLElementTagNameMap {
    'highrise-softphone': HighriseSoftphone;
  }
  interface GlobalEventHandlersEventMap extends HighriseSoftphoneEventMap {}
}
