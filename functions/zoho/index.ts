/** The Zoho Accounts adapter: data centres, the token-endpoint client and its typed errors. */
export {
  createZohoAccountsClient,
  DEFAULT_ZOHO_TIMEOUT_MS,
  REVOKE_PATH,
  TOKEN_PATH,
  type ZohoAccountsClientOptions,
} from './accounts-client';
export {
  CUSTOM_DC,
  isAllowedAccountsServer,
  normaliseAccountsServer,
  type ResolveDataCentreInput,
  type ResolvedDataCentre,
  resolveDataCentre,
  ZOHO_DATA_CENTRES,
  type ZohoDataCentre,
} from './data-centres';
export {
  GrantCodeRejectedError,
  NoRefreshTokenGrantedError,
  RefreshTokenAlreadyInvalidError,
} from './errors';
export {
  classifyTokenError,
  MAX_EXPIRES_IN_SECONDS,
  type ParseOptions,
  parseCodeExchangeResponse,
  parseTokenResponse,
} from './token-response';
