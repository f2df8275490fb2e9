import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CancellationToken, LanguageModelToolResult } from 'vscode';
import { agentTool, invocationMessage, registerAgentTools, sidecarCaller, type ToolClient } from '../../../../src/extension/agents/lmTools';
import { mcpServerDefinition, registerMcpProvider, MCP_PROVIDER_ID, type McpServerInputs } from '../../../../src/extension/agents/mcpProvider';
import { AGENT_TOOL_NAMES, AGENT_TOOLS } from '../../../../src/shared/agentTools';
import { AgentToolRequest } from '../../../../src/shared/protocol';

const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) } as unknown as CancellationToken;
/** Stands in for new LanguageModelToolResult([new LanguageModelTextPart(text)]). */
const makeResult = (text: string) => ({ content: [{ value: text }] }) as unknown as LanguageModelToolResult;
const textOf = (r: unknown) => (r as { content: { value: string }[] }).content[0].value;

/** A client that records each request and answers like the sidecar, or fails like it. */
function stubClient(answer: (params: { name: string; input: unknown }) => unknown) {
  const calls: { method: string; params: { name: string; input: unknown }; token?: CancellationToken }[] = [];
  const client: ToolClient = {
    sendRequest: async (type, params, t) => {
      calls.push({ method: type.method, params, token: t });
      return answer(params) as never;
    },
  };
  return { client, calls };
}

describe('language-model tools over the sidecar', () => {
  it('registers the six agent tools by their shared names and answers each from the client', async () => {
    const { client, calls } = stubClient(({ name }) => ({ structured: {}, text: `answer of ${name}` }));
    const registered = new Map<string, ReturnType<typeof agentTool>>();
    const disposables = registerAgentTools(
      { registerTool: (name, tool) => (registered.set(name, tool), { dispose: () => registered.delete(name) }) },
      sidecarCaller(() => client),
      makeResult,
    );
    assert.deepEqual([...registered.keys()], [...AGENT_TOOL_NAMES]);
    const input = { query: 'how vectors are stored', maxResults: 3 };
    const result = await registered.get('semantic_search')!.invoke({ input, toolInvocationToken: undefined }, token);
    assert.equal(textOf(result), 'answer of semantic_search');
    assert.deepEqual(calls, [{ method: AgentToolRequest.method, params: { name: 'semantic_search', input }, token }]);
    assert.equal(AgentToolRequest.method, 't5Semantic/agentTool');
    for (const d of disposables) d.dispose();
    assert.equal(registered.size, 0, 'disposing unregisters every tool');
  });

  it('registers nothing where vscode.lm or lm.registerTool is missing (VS Code without language-model tools)', () => {
    const call = sidecarCaller(() => assert.fail('no call expected'));
    assert.deepEqual(registerAgentTools(undefined, call, makeResult), []);
    assert.deepEqual(registerAgentTools({}, call, makeResult), []);
  });

  it('hands the sidecar’s error message to the agent, and says when the engine is not running', async () => {
    const { client } = stubClient(() => {
      throw Object.assign(new Error('semantic_search: query is empty; give some words.'), { code: -32602 });
    });
    const tool = agentTool('semantic_search', sidecarCaller(() => client), makeResult);
    await assert.rejects(Promise.resolve(tool.invoke({ input: { query: ' ' }, toolInvocationToken: undefined }, token)), /semantic_search: query is empty; give some words\./);
    const offline = agentTool('index_status', sidecarCaller(() => undefined), makeResult);
    await assert.rejects(Promise.resolve(offline.invoke({ input: {}, toolInvocationToken: undefined }, token)), /index_status: the T5 Semantic engine is not running/);
  });

  it('asks for no confirmation (read-only) and says what it is doing, quoting the query', async () => {
    const tool = agentTool('semantic_search', sidecarCaller(() => undefined), makeResult);
    const prepared = await tool.prepareInvocation!({ input: { query: 'where are\n vectors   stored' } }, token);
    assert.deepEqual(prepared, { invocationMessage: 'Searching the workspace by meaning for “where are vectors stored”' });
    assert.match(invocationMessage('find_similar', { path: 'docs/a.md', line: 4 }), /docs\/a\.md:4/);
    assert.match(invocationMessage('check_duplicate', { text: 'x'.repeat(500) }), /“x{59}…”/);
    for (const name of AGENT_TOOL_NAMES) assert.ok(invocationMessage(name, null).length > 10, name);
  });
});

describe('package.json languageModelTools', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
  const contributed = pkg.contributes.languageModelTools as Record<string, unknown>[];

  it('declares exactly the shared tools with the same descriptions and input schemas', () => {
    assert.deepEqual(contributed.map((t) => t.name), [...AGENT_TOOL_NAMES]);
    for (const t of AGENT_TOOLS) {
      const c = contributed.find((x) => x.name === t.name)!;
      assert.deepEqual(c.inputSchema, t.inputSchema, `${t.name} inputSchema`);
      assert.equal(c.modelDescription, t.description, `${t.name} modelDescription`);
      assert.equal(c.displayName, t.title, `${t.name} displayName`);
    }
  });

  it('passes the checks VS Code 1.96 makes on each tool', () => {
    for (const c of contributed) {
      assert.match(String(c.name), /^[\w-]+$/);
      assert.ok(c.displayName && c.modelDescription, `${String(c.name)} has displayName and modelDescription`);
      if (c.canBeReferencedInPrompt) assert.match(String(c.toolReferenceName), /^[\w-]+$/, `${String(c.name)} toolReferenceName`);
    }
  });
});

describe('MCP server definition for VS Code’s other agents', () => {
  const inputs: McpServerInputs = { execPath: '/usr/bin/node', cliPath: '/ext/dist/cli.js', folders: ['/ws/a', '-odd'], model: 'org/model', storage: '/store', offline: true, version: '1.2.3' };

  it('runs the bundled CLI’s mcp command on the folders with the model and the shared storage', () => {
    assert.deepEqual(mcpServerDefinition(inputs), {
      label: 'T5 Semantic Search',
      command: '/usr/bin/node',
      args: ['/ext/dist/cli.js', 'mcp', '--model', 'org/model', '--storage', '/store', '--offline', '--', '/ws/a', '-odd'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
      version: '1.2.3',
    });
    assert.equal(mcpServerDefinition({ ...inputs, folders: [] }), undefined);
    assert.ok(!mcpServerDefinition({ ...inputs, offline: false })!.args.includes('--offline'));
  });

  it('registers a provider only where the API and McpStdioServerDefinition exist', () => {
    const onDidChange = () => ({ dispose() {} });
    class Definition {
      constructor(...args: unknown[]) {
        this.args = args;
      }
      args: unknown[];
    }
    assert.deepEqual(registerMcpProvider(undefined, Definition, () => inputs, onDidChange), []);
    assert.deepEqual(registerMcpProvider({}, Definition, () => inputs, onDidChange), []);
    let provided: unknown[] = [];
    let id = '';
    const lm = {
      registerMcpServerDefinitionProvider: (i: string, p: { provideMcpServerDefinitions: () => unknown[] }) => {
        id = i;
        provided = p.provideMcpServerDefinitions();
        return { dispose() {} };
      },
    };
    assert.deepEqual(registerMcpProvider(lm, undefined, () => inputs, onDidChange), []);
    assert.equal(registerMcpProvider(lm, Definition, () => inputs, onDidChange).length, 1);
    assert.equal(id, MCP_PROVIDER_ID);
    assert.equal(provided.length, 1);
    assert.deepEqual((provided[0] as Definition).args.slice(0, 2), ['T5 Semantic Search', '/usr/bin/node']);
  });
});
