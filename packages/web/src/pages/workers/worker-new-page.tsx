import { ZCreateWorker } from '@shegong/shared';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Space } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import { handleFormError, validateWith } from '../../api/forms.ts';
import { cleanValues, EMPTY_WORKER, WorkerFormFields } from './worker-form.tsx';

export const WorkerNewPage = () => {
  const [form] = Form.useForm();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    const values = cleanValues(form.getFieldsValue(true));
    const parsed = validateWith(form, ZCreateWorker, values);
    if (!parsed) return;
    setSaving(true);
    try {
      const created = await api<{ id: string }>('POST', '/api/workers', values);
      await queryClient.invalidateQueries({ queryKey: ['workers'] });
      message.success('已登记');
      navigate(`/workers/${created.id}`);
    } catch (error) {
      message.error(handleFormError(form, error));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Card title="登记社区工作者">
      <Form form={form} layout="vertical" initialValues={EMPTY_WORKER} onFinish={submit}>
        <WorkerFormFields form={form} editing={false} />
        <Space>
          <Button type="primary" htmlType="submit" loading={saving}>
            保存
          </Button>
          <Button onClick={() => navigate(-1)}>取消</Button>
        </Space>
      </Form>
    </Card>
  );
};
