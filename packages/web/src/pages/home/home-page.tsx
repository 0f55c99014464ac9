import { Card, Col, Row } from 'antd';
import { useState } from 'react';
import { useAuth } from '../../auth.tsx';
import { OrgSummary } from '../../components/org-summary.tsx';
import { OrgTree } from '../../components/org-tree.tsx';
import { TodoSummaryCard } from '../todo/todo-summary-card.tsx';

/** Home: the caller's part of the org tree, and the counts of the selected node from the API. */
export const HomePage = () => {
  const { me } = useAuth();
  const rootCode = me?.orgCode ?? '';
  const [selected, setSelected] = useState<string>(rootCode);
  return (
    <Row gutter={16}>
      <Col xs={24} md={8} xl={6}>
        <Card title="机构树" size="small" className="org-tree-card">
          <OrgTree rootCode={rootCode} selected={selected} onSelect={setSelected} />
        </Card>
      </Col>
      <Col xs={24} md={16} xl={18}>
        <TodoSummaryCard org={selected} />
        <OrgSummary code={selected} onSelect={setSelected} />
      </Col>
    </Row>
  );
};
