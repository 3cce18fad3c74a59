/** The accounts the editing suite's server is started with (see playwright.config.ts). */
export const E2E_PASSWORD = 'correct horse battery';
export const EDITOR = 'olga';
export const ADMIN = 'ivan';
