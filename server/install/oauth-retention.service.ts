/** What the retention job may ask of the sign-in tables this folder owns. */
export { purgeSpentOAuthRecords } from './oauth.repository';
