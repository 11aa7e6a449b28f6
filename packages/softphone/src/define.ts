// Side effect: defines <highrise-softphone>. The one-file bundle is built from this module.
import './ui/softphone';

export * from './index';
