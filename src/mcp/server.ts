/**
 * @file The MCP server over stdio (the official SDK's low-level Server, so the tools' JSON schemas from
 * src/shared/agentTools.ts are served as they are). A bad call is answered with a tool error that says
 * what was wrong; nothing a caller sends stops the server. stdout is the protocol: logs go to stderr.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AGENT_TOOLS, ToolInputError } from '../shared/agentTools';
import { callTool } from '../server/agents/tools';
import type { McpWorkspace } from './workspace';

export function createMcpServer(workspace: Promise<McpWorkspace>, version: string, log: (m: string) => void): Server {
  const server = new Server(
    { name: 't5-semantic', version },
    {
      capabilities: { tools: {} },
      instructions:
        'Local, offline search of this workspace’s comments and docs by meaning, and a check for text that already exists. Call check_duplicate before writing a doc comment or README passage; semantic_search when you know what text is about but not its words.',
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: AGENT_TOOLS.map((t) => ({ name: t.name, title: t.title, description: t.description, inputSchema: t.inputSchema as never, outputSchema: t.outputSchema as never })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name, arguments: args } = request.params;
    const started = performance.now();
    try {
      const answer = await callTool(await workspace, name, args);
      log(`${name}: ${Math.round(performance.now() - started)} ms`);
      return { content: [{ type: 'text', text: answer.text }], structuredContent: answer.structured as Record<string, unknown> };
    } catch (e) {
      const message = e instanceof ToolInputError ? e.message : `The tool failed: ${(e as Error).message}`;
      if (!(e instanceof ToolInputError)) log(`${name} failed: ${(e as Error).stack ?? e}`);
      return { isError: true, content: [{ type: 'text', text: `${name}: ${message}` }] };
    }
  });
  return server;
}

/** Serves on stdin/stdout until the client closes them; resolves then. */
export async function serveStdio(server: Server): Promise<void> {
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
}
