import {
  CERTIFICATE_LEVELS,
  EDUCATION_LEVELS,
  POLITICAL_STATUSES,
  POST_TITLES,
  WORKER_STATUSES,
} from '@shegong/shared';
import { Col, Form, type FormInstance, Input, Row, Select, Switch } from 'antd';
import { DateInput } from '../../components/date-input.tsx';
import { OrgTreeSelect } from '../../components/org-tree-select.tsx';

const options = (values: readonly string[]) => values.map((v) => ({ value: v, label: v }));

/** The fields of a worker, shared by the create and edit pages. */
export const WorkerFormFields = ({ form, editing }: { form: FormInstance; editing: boolean }) => {
  const certificate = Form.useWatch('certificateLevel', form);
  const status = Form.useWatch('status', form);
  return (
    <Row gutter={16}>
      <Col xs={24} md={8}>
        <Form.Item name="name" label="姓名" required>
          <Input maxLength={30} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item
          name="idNumber"
          label="身份证号"
          required
          extra={editing ? '身份证号登记后不能修改' : '出生日期与性别由身份证号得出'}
        >
          <Input maxLength={18} disabled={editing} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name="phone" label="手机号">
          <Input maxLength={11} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name="communityCode" label="所在社区" required>
          <OrgTreeSelect selectable={['community']} placeholder="选择社区" allowClear={false} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name="postTitle" label="职务" required>
          <Select options={options(POST_TITLES)} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name="status" label="状态">
          <Select options={options(WORKER_STATUSES)} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name="serviceStartedOn" label="开始从事社区工作" required>
          <DateInput />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name="hiredOn" label="本次入职日期">
          <DateInput />
        </Form.Item>
      </Col>
      {status === '试用期' && (
        <Col xs={24} md={8}>
          <Form.Item name="probationUntil" label="试用期至" required>
            <DateInput />
          </Form.Item>
        </Col>
      )}
      <Col xs={24} md={8}>
        <Form.Item name="politicalStatus" label="政治面貌">
          <Select options={options(POLITICAL_STATUSES)} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name="ethnicity" label="民族">
          <Input maxLength={20} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name="educationLevel" label="学历" required>
          <Select options={options(EDUCATION_LEVELS)} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name="educationMajor" label="专业">
          <Input maxLength={50} />
        </Form.Item>
      </Col>
      <Col xs={12} md={4}>
        <Form.Item name="educationRecognised" label="国家承认学历" valuePropName="checked">
          <Switch />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name="certificateLevel" label="社会工作者职业水平证书">
          <Select options={options(CERTIFICATE_LEVELS)} />
        </Form.Item>
      </Col>
      {certificate && certificate !== '无' && (
        <Col xs={24} md={8}>
          <Form.Item name="certificateDate" label="取证日期" required>
            <DateInput />
          </Form.Item>
        </Col>
      )}
      <Col xs={12} md={4}>
        <Form.Item name="veteran" label="退役军人" valuePropName="checked">
          <Switch />
        </Form.Item>
      </Col>
      <Col xs={12} md={4}>
        <Form.Item name="livesInCommunity" label="居住在本社区" valuePropName="checked">
          <Switch />
        </Form.Item>
      </Col>
    </Row>
  );
};

export const EMPTY_WORKER = {
  status: '在岗',
  politicalStatus: '群众',
  ethnicity: '汉族',
  certificateLevel: '无',
  educationRecognised: true,
  veteran: false,
  livesInCommunity: false,
  priorService: [],
};

/** Form values → API payload: empty strings become absent. */
export const cleanValues = (values: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '' && v !== undefined));
