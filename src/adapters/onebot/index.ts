/** OneBot v11 (QQ through NapCat, Lagrange, LLOneBot, go-cqhttp): the reference adapter and enforcer. */
export type * from './types.js';
export { parseCqString, escapeCq, unescapeCq } from './cq-code.js';
export { segmentsToContent, type SegmentContent } from './segments.js';
export { OneBotEventMapper, type OneBotMapperOptions } from './map-event.js';
export {
  presentedToken,
  checkConnection,
  checkHttpPost,
  signBody,
  verifySignature,
  sameSecret,
  type Credentials,
  type AuthResult,
  type AuthFailure,
} from './auth.js';
export { OneBotReceiver, type OneBotReceiverOptions } from './receiver.js';
export { ForwardWebSocket, redactUrl, type ForwardWebSocketOptions } from './forward-ws.js';
export { OneBotApiClient, type OneBotApiClientOptions } from './api-client.js';
export { OneBotEnforcement, oneBotId, messageIdOf, type OneBotEnforcementOptions } from './enforcement.js';
export { OneBotMemberSync, type OneBotMemberSyncOptions } from './member-sync.js';
export {
  startOneBotAdapter,
  startOneBotEnforcer,
  type AdapterOutput,
  type OneBotAdapterService,
  type OneBotAdapterServiceOptions,
  type OneBotEnforcerService,
  type OneBotEnforcerServiceOptions,
} from './service.js';
