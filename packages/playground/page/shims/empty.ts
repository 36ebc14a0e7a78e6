/** A Node built-in that a page lacks and that the modules bundled into the page never use at import: nothing. */
export default {};
