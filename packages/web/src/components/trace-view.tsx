import { Tag, Timeline, Typography } from 'antd';

export type TTraceStep = {
  rule: string;
  source: string;
  inputs: Record<string, unknown>;
  result: unknown;
  note: string;
};

const short = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
};

/**
 * "为什么": the steps of an evaluation, each with its Chinese sentence, the rule and the clause
 * of the document it comes from.
 */
export const TraceView = ({ trace }: { trace: TTraceStep[] }) => (
  <Timeline
    data-testid="trace"
    items={trace.map((step, i) => ({
      key: `${step.rule}-${i}`,
      content: (
        <div>
          <Typography.Text strong>{step.note}</Typography.Text>
          <div>
            <Tag color="blue">{step.source || '—'}</Tag>
            <Typography.Text type="secondary" code>
              {step.rule}
            </Typography.Text>
          </div>
          {Object.keys(step.inputs ?? {}).length > 0 && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              依据数据：{short(step.inputs)} → {short(step.result)}
            </Typography.Text>
          )}
        </div>
      ),
    }))}
  />
);
