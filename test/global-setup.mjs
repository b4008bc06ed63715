// jest loads globalSetup outside its ESM transform; tsx loads the TypeScript harness instead.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { default: setup } = await tsImport('./services-setup.ts', import.meta.url);
  await setup();
}
