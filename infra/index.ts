// The package's entry point (`import { SesBounceProcessor } from 'ses-bounce-processor'`): the construct, its
// settings and defaults, and the standalone stack built on it.
export {
  SesBounceProcessor,
  type SesBounceProcessorParts,
  type SesBounceProcessorProps,
} from './construct.ts';
export {
  type ApiAuthorization,
  DEFAULT_SETTINGS,
  InvalidSettingError,
  type SesBounceProcessorSettings,
} from './props.ts';
export { SesBounceProcessorStack, type SesBounceProcessorStackProps } from './stack.ts';
