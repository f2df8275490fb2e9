/**
 * @file Driving VS Code's workbench in code-server from playwright: the quick input (palette, Quick Open,
 * Quick Picks), running a command by its title, opening a file. Every wait is on a selector, never a sleep.
 */
import type { Page } from 'playwright-core';

export const quickInput = (p: Page) => p.locator('.quick-input-widget');
export const quickInputBox = (p: Page) => p.locator('.quick-input-widget input[role="combobox"]');
export const quickInputRows = (p: Page) => p.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/** F1, type the command's title, wait for it in the list, Enter. */
export async function runCommand(p: Page, title: string): Promise<void> {
  await p.keyboard.press('F1');
  await quickInputBox(p).waitFor({ state: 'visible', timeout: 30_000 });
  await p.keyboard.type(title);
  const short = title.includes(': ') ? title.slice(title.indexOf(': ') + 2) : title;
  await quickInputRows(p).filter({ hasText: short }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await p.keyboard.press('Enter');
}

/** Waits until `file` is the active tab and its editor shows `text`. */
export async function activeEditorShows(p: Page, file: string, text: string): Promise<void> {
  await p.locator('.tabs-container .tab.active').filter({ hasText: file }).waitFor({ timeout: 30_000 });
  await p.locator('.editor-group-container.active .monaco-editor .view-lines').filter({ hasText: text }).first().waitFor({ timeout: 30_000 });
}

/** Ctrl+P, type the file name, Enter; waits until it is the active tab with `expectText` shown. */
export async function openFile(p: Page, file: string, expectText: string): Promise<void> {
  await p.keyboard.press('Control+P');
  await quickInputBox(p).waitFor({ state: 'visible', timeout: 30_000 });
  await p.keyboard.type(file);
  await quickInputRows(p).filter({ hasText: file }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await p.keyboard.press('Enter');
  await activeEditorShows(p, file, expectText);
}
