// Root jest config: one run over every package (`npm test`).
const fs = require('fs');
const path = require('path');
const preset = require('./jest.preset.js');

const roots = ['packages', 'tools'];
const projects = [];
for (const dir of fs.readdirSync(path.join(__dirname, 'packages'))) {
  if (fs.existsSync(path.join(__dirname, 'packages', dir, 'package.json'))) {
    projects.push({ ...preset, displayName: dir, rootDir: path.join(__dirname, 'packages', dir) });
  }
}
projects.push({ ...preset, displayName: 'tools', rootDir: path.join(__dirname, 'tools') });

module.exports = { projects, testTimeout: 120000 };
