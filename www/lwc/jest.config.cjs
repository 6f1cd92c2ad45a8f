// Jest for the Lightning web components, through @salesforce/sfdx-lwc-jest's
// preset (LWC compiler, jsdom, stubs for lightning/* and @salesforce/*).
// Run from www/lwc (the preset finds sfdx-project.json in the working
// directory) after `node scripts/build.mjs` has generated c/kosmosConnect.
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = {
    ...jestConfig,
    setupFiles: ['<rootDir>/jest.setup.cjs'],
    testTimeout: 15000
};
