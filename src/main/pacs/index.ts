export { PacsError, type PacsErrorKind } from './errors'
export { type PacsAuth, describeAuth, safeUrl } from './auth'
export {
  DicomWebClient,
  type DicomWebConnection,
  type RemoteStudy,
  type RemoteSeries,
  type RemoteInstance,
  type StoreOutcome
} from './dicomWebClient'
export { parseMultipart, buildMultipart, parseContentType } from './multipart'
